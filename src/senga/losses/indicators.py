"""Differentiable stand-ins for the ink indicator ``[x > 0]`` (docs/paper.md, eqs. 7-8).

The exact indicator has zero gradient almost everywhere, so used in the
precision's denominator it makes P behave like R (eq. 9's motivation). The
paper's choice for all results is :func:`f_linear` with ``(x0, y0) = (0.1, 0.9)``.

Specs for configs and the command line (:func:`parse_indicator`):
``"linear"`` / ``"linear:0.1,0.9"``, ``"power"`` / ``"power:100"``, ``"exact"``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import torch
from torch import Tensor

#: An indicator maps an ink tensor to a tensor of the same shape in [0, 1].
Indicator = Callable[[Tensor], Tensor]

INDICATOR_SPECS = "'linear[:X0,Y0]', 'power[:GAMMA]' or 'exact'"


def _check_linear(x0: float, y0: float) -> None:
    if not 0.0 < x0 < 1.0:
        raise ValueError(f"f_linear: x0 must be in (0, 1), got {x0}")
    if not 0.0 <= y0 <= 1.0:
        raise ValueError(f"f_linear: y0 must be in [0, 1], got {y0}")


def _check_power(gamma: float) -> None:
    if not gamma > 0.0:
        raise ValueError(f"f_power: gamma must be > 0, got {gamma}")


def f_linear(x: Tensor, x0: float = 0.1, y0: float = 0.9) -> Tensor:
    r"""Piecewise-linear indicator, eq. 7.

    .. math::
        f(x) = \begin{cases}
            0 & x < 0 \\
            \frac{y_0}{x_0} x & 0 \le x < x_0 \\
            \frac{1 - y_0}{1 - x_0}(x - x_0) + y_0 & x_0 \le x < 1 \\
            1 & \text{otherwise}
        \end{cases}

    Args:
        x: any shape, e.g. ``(N, 1, H, W)`` predicted ink.
        x0, y0: the knee, ``0 < x0 < 1``, ``0 <= y0 <= 1``; the paper's best is (0.1, 0.9).

    Returns:
        Same shape as ``x``, in [0, 1]. The gradient is the slope of the
        piece ``x`` falls in (pieces are closed on the left).

    Example::

        >>> f_linear(torch.tensor([0.05, 0.1, 0.55]))
        tensor([0.4500, 0.9000, 0.9500])
    """
    _check_linear(x0, y0)
    low = (y0 / x0) * x
    high = ((1.0 - y0) / (1.0 - x0)) * (x - x0) + y0
    ones, zeros = torch.ones_like(x), torch.zeros_like(x)
    return torch.where(x < 0, zeros, torch.where(x < x0, low, torch.where(x < 1, high, ones)))


def f_power(x: Tensor, gamma: float = 100.0) -> Tensor:
    r"""Power indicator, eq. 8.

    .. math::
        f(x) = \begin{cases}
            0 & x < 0 \\
            x^{1/\gamma} & 0 \le x < 1 \\
            1 & \text{otherwise}
        \end{cases}

    The derivative :math:`x^{1/\gamma - 1}/\gamma` is infinite at 0. To keep
    gradients finite, ``x == 0`` gets gradient 0 and the power is evaluated at
    ``max(x, smallest normal float)`` (a value change only for subnormal x).

    Args:
        x: any shape.
        gamma: > 0; the paper tried 100 and 200.
    """
    _check_power(gamma)
    inside = (x > 0) & (x < 1)
    safe = torch.where(inside, x, torch.ones_like(x)).clamp_min(torch.finfo(x.dtype).tiny)
    ones, zeros = torch.ones_like(x), torch.zeros_like(x)
    return torch.where(x <= 0, zeros, torch.where(x < 1, safe ** (1.0 / gamma), ones))


def exact_indicator(x: Tensor) -> Tensor:
    r"""The exact indicator :math:`[x > 0]` as a float tensor; its gradient is zero everywhere."""
    return (x > 0).to(x.dtype)


def parse_indicator(spec: str) -> Indicator:
    """Build an indicator from a spec string.

    Args:
        spec: ``"linear"`` (= ``"linear:0.1,0.9"``), ``"linear:X0,Y0"``,
            ``"power"`` (= ``"power:100"``), ``"power:GAMMA"`` or ``"exact"``.

    Raises:
        ValueError: an unknown name or bad parameters, naming the spec.
    """
    name, _, params = spec.strip().partition(":")
    name = name.strip().lower()
    try:
        values = [float(v) for v in params.split(",")] if params.strip() else []
    except ValueError:
        raise ValueError(
            f"indicator {spec!r}: parameters must be numbers; expected {INDICATOR_SPECS}"
        ) from None
    try:
        if name == "linear" and len(values) in (0, 2):
            x0, y0 = values or (0.1, 0.9)
            _check_linear(x0, y0)
            return functools.partial(f_linear, x0=x0, y0=y0)
        if name == "power" and len(values) in (0, 1):
            gamma = values[0] if values else 100.0
            _check_power(gamma)
            return functools.partial(f_power, gamma=gamma)
        if name == "exact" and not values:
            return exact_indicator
    except ValueError as err:
        raise ValueError(f"indicator {spec!r}: {err}") from None
    raise ValueError(f"unknown indicator {spec!r}; expected {INDICATOR_SPECS}")


def resolve_indicator(indicator: str | Indicator) -> Indicator:
    """A spec string (see :func:`parse_indicator`) or a callable -> a callable."""
    return parse_indicator(indicator) if isinstance(indicator, str) else indicator
