"""f_linear (eq. 7), f_power (eq. 8), the exact indicator and parse_indicator."""

from __future__ import annotations

import pytest
import torch

from senga.losses import exact_indicator, f_linear, f_power, parse_indicator


def values_and_grads(f, points, dtype=torch.float64):
    x = torch.tensor(points, dtype=dtype, requires_grad=True)
    y = f(x)
    y.sum().backward()
    return y.detach().tolist(), x.grad.tolist()


def test_f_linear_hand_values_and_slopes():
    # pieces: 0 | 9x on [0, .1) | .9 + (x - .1)/9 on [.1, 1) | 1
    y, dy = values_and_grads(f_linear, [-0.5, 0.0, 0.05, 0.1, 0.55, 0.999, 1.0, 2.0])
    assert y == pytest.approx([0.0, 0.0, 0.45, 0.9, 0.95, 0.9 + 0.899 / 9, 1.0, 1.0])
    # each piece is closed on the left: the slope at a knot is the right-hand piece's
    assert dy == pytest.approx([0.0, 9.0, 9.0, 1 / 9, 1 / 9, 1 / 9, 0.0, 0.0])


def test_f_linear_other_knee_is_continuous():
    y, _ = values_and_grads(lambda x: f_linear(x, 0.05, 0.95), [0.025, 0.05 - 1e-12, 0.05, 1 - 1e-12])
    assert y == pytest.approx([0.475, 0.95, 0.95, 1.0])


def test_f_power_hand_values_and_finite_gradients():
    y, dy = values_and_grads(f_power, [-1.0, 0.0, 1e-10, 0.5, 1.0, 2.0])
    assert y == pytest.approx([0.0, 0.0, 10**-0.1, 0.5**0.01, 1.0, 1.0])
    # infinite one-sided derivative at 0 is replaced by 0; x^(1/g - 1)/g elsewhere
    assert dy == pytest.approx([0.0, 0.0, 0.01 * 1e-10**-0.99, 0.01 * 0.5**-0.99, 0.0, 0.0])
    y, _ = values_and_grads(lambda x: f_power(x, 200.0), [0.5])
    assert y == pytest.approx([0.5**0.005])
    # float32 subnormal input: value stays in (0, 1], gradient finite
    y, dy = values_and_grads(f_power, [1e-40], dtype=torch.float32)
    assert 0 < y[0] <= 1 and torch.isfinite(torch.tensor(dy)).all()


def test_exact_indicator_is_a_step_with_no_gradient():
    x = torch.tensor([-1.0, 0.0, 1e-9, 1.0], requires_grad=True)
    assert exact_indicator(x).tolist() == [0.0, 0.0, 1.0, 1.0]
    assert not exact_indicator(x).requires_grad


def test_parse_indicator_builds_the_named_function():
    x = torch.linspace(-0.2, 1.2, 29, dtype=torch.float64)
    assert torch.equal(parse_indicator("linear")(x), f_linear(x))
    assert torch.equal(parse_indicator("linear:0.05,0.95")(x), f_linear(x, 0.05, 0.95))
    assert torch.equal(parse_indicator(" Power:200 ")(x), f_power(x, 200.0))
    assert torch.equal(parse_indicator("power")(x), f_power(x, 100.0))
    assert parse_indicator("exact") is exact_indicator


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("cubic", "unknown indicator 'cubic'; expected 'linear"),
        ("linear:0.1", "unknown indicator 'linear:0.1'"),
        ("exact:1", "unknown indicator 'exact:1'"),
        ("linear:a,b", "indicator 'linear:a,b': parameters must be numbers"),
        ("linear:1.5,0.9", r"indicator 'linear:1.5,0.9': f_linear: x0 must be in \(0, 1\), got 1.5"),
        ("power:-1", "indicator 'power:-1': f_power: gamma must be > 0, got -1.0"),
    ],
)
def test_parse_indicator_errors(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_indicator(spec)


def test_bad_parameters_raise():
    with pytest.raises(ValueError, match="y0 must be in"):
        f_linear(torch.zeros(1), 0.1, 1.5)
    with pytest.raises(ValueError, match="gamma must be > 0"):
        f_power(torch.zeros(1), 0.0)
