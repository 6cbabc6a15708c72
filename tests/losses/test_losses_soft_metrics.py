"""P~ (eq. 9), R (eq. 5), F1~ (eq. 10): hand values, eq. 4 as a special case, reductions, gradcheck."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch

from senga.losses import exact_indicator, soft_f1, soft_precision, soft_recall
from senga.metrics import precision, recall

# 2x2 by hand (same maps as tests/metrics): shared ink s = [.5, 1, 0, 0].
#   f_linear(.5) = .9 + .4/9 = 17/18, f_linear(.25) = .9 + .15/9 = 11/12, f(0) = 0
#   sum f(H) = 17/9 + 11/12 = 101/36
#   cancellation:    P~ = (17/18)(.5 + 1) / (101/36) = 51/101
#   no cancellation: P~ = 1.5 / (101/36) = 54/101
#   R = 1.5 / 2 = 3/4
G = torch.tensor([[1.0, 0.5], [0.0, 0.0]], dtype=torch.float64)
H = torch.tensor([[0.5, 0.5], [0.25, 0.0]], dtype=torch.float64)


def test_hand_computed_2x2():
    exact = dict(smooth=0.0)
    assert soft_precision(H, G, **exact).item() == pytest.approx(51 / 101)
    assert soft_precision(H, G, cancellation=False, **exact).item() == pytest.approx(54 / 101)
    assert soft_recall(H, G, **exact).item() == pytest.approx(0.75)
    p, r = 51 / 101, 0.75
    assert soft_f1(H, G, **exact).item() == pytest.approx(2 * r * p / (r + p))
    # the default smoothing adds one pixel to numerator and denominator
    assert soft_precision(H, G).item() == pytest.approx((17 / 12 + 1) / (101 / 36 + 1))
    assert soft_recall(H, G).item() == pytest.approx(2.5 / 3)


def test_exact_indicator_without_cancellation_is_eq_4():
    rng = np.random.default_rng(0)
    g = np.where(rng.random((3, 1, 9, 9)) < 0.3, rng.uniform(0.01, 1, (3, 1, 9, 9)), 0.0)
    h = np.where(rng.random((3, 1, 9, 9)) < 0.4, rng.uniform(0.01, 1, (3, 1, 9, 9)), 0.0)
    ht, gt = torch.tensor(h), torch.tensor(g)
    p = soft_precision(ht, gt, indicator=exact_indicator, cancellation=False, reduction="none", smooth=0.0)
    np.testing.assert_allclose(p.numpy(), precision(h, g), rtol=1e-12)
    # with the exact indicator, cancellation changes nothing: [H>0]^2 = [H>0]
    p2 = soft_precision(ht, gt, indicator="exact", cancellation=True, reduction="none", smooth=0.0)
    np.testing.assert_allclose(p2.numpy(), precision(h, g), rtol=1e-12)
    r = soft_recall(ht, gt, reduction="none", smooth=0.0)
    np.testing.assert_allclose(r.numpy(), recall(h, g), rtol=1e-12)


def test_perfect_prediction_scores_one_and_empty_maps_are_defined():
    g = torch.zeros(1, 1, 4, 4)
    g[..., 1, :] = 0.7
    assert soft_f1(g.clone(), g).item() == pytest.approx(1.0)
    empty = torch.zeros(1, 1, 4, 4)
    assert soft_f1(empty, empty).item() == 1.0  # smoothing: (0 + 1) / (0 + 1)
    # nothing predicted, 4 ink pixels: P~ = (0+1)/(0+1) = 1, R = (0+1)/(4+1), F1~ = 2(.2)/(1.2)
    assert soft_f1(empty, g).item() == pytest.approx(1 / 3)


def test_reductions():
    gen = torch.Generator().manual_seed(1)
    h = torch.rand(3, 1, 4, 5, generator=gen, dtype=torch.float64)
    g = (torch.rand(3, 1, 4, 5, generator=gen, dtype=torch.float64) > 0.6) * 0.8
    per = soft_f1(h, g, reduction="none")
    assert per.shape == (3,)
    for i in range(3):
        assert per[i].item() == pytest.approx(soft_f1(h[i : i + 1], g[i : i + 1]).item())
    assert soft_f1(h, g, reduction="image").item() == pytest.approx(per.mean().item())
    # "batch" = the batch as one big image (images side by side)
    wide = lambda x: torch.cat(list(x), dim=-1)  # noqa: E731 - a one-line helper
    assert soft_f1(h, g).item() == pytest.approx(soft_f1(wide(h), wide(g)).item())
    with pytest.raises(ValueError, match="unknown reduction 'sum'; expected one of batch, image, none"):
        soft_f1(h, g, reduction="sum")


def test_accepts_n_h_w_and_h_w():
    h, g = H.clone(), G.clone()
    assert soft_f1(h, g).item() == pytest.approx(soft_f1(h[None], g[None]).item())
    assert soft_f1(h, g).item() == pytest.approx(soft_f1(h[None, None], g[None, None]).item())
    with pytest.raises(ValueError, match=r"shapes differ"):
        soft_f1(h, g[:1])
    with pytest.raises(ValueError, match=r"\(N, 1, H, W\), \(N, H, W\) or \(H, W\), got \(1, 2, 2, 2\)"):
        soft_f1(torch.zeros(1, 2, 2, 2), torch.zeros(1, 2, 2, 2))


@pytest.mark.parametrize("reduction", ["batch", "image", "none"])
@pytest.mark.parametrize("cancellation", [True, False])
def test_gradcheck(smooth_pair, reduction, cancellation):
    h, g = smooth_pair
    for fn in (soft_precision, soft_f1):
        f = functools.partial(fn, gt=g, cancellation=cancellation, reduction=reduction)
        assert torch.autograd.gradcheck(f, (h,))
        power = functools.partial(
            fn, gt=g, indicator="power:100", cancellation=cancellation, reduction=reduction
        )
        assert torch.autograd.gradcheck(power, (h,))
    assert torch.autograd.gradcheck(functools.partial(soft_recall, gt=g, reduction=reduction), (h,))
