"""Differentiable grayscale precision P~ (eq. 9), recall (eq. 5) and F1~ (eq. 10).

Built on the same per-pixel shared ink as the exact metrics
(:func:`senga.metrics.shared_ink`).

Smoothing: every ratio gets ``smooth`` (default 1, "one pixel of ink") added
to its numerator and denominator. Both maps empty gives 1 instead of 0/0; one
map empty gives a small positive ratio, so ``1 / F1~`` is finite on all-white
and all-black maps and bounded by about the pixel count (a tiny smooth such
as 1e-6 would make it ~1e12 there, with gradients to match). Against the
sums of a training batch (thousands of ink pixels) the bias is negligible;
``smooth=0`` gives the plain ratios.
"""

from __future__ import annotations

from torch import Tensor

from senga.losses.indicators import Indicator, f_linear, resolve_indicator
from senga.losses.reduction import finish, flatten_pair, pool
from senga.metrics.grayscale import DEFAULT_EPS, shared_ink

#: Added to the numerator and denominator of every ratio (P~, R, dice): one pixel of ink.
DEFAULT_SMOOTH: float = 1.0


def _pooled_precision_recall(
    pred: Tensor,
    gt: Tensor,
    indicator: str | Indicator,
    cancellation: bool,
    reduction: str,
    eps: float,
    smooth: float,
) -> tuple[Tensor, Tensor]:
    """P~ (eq. 9) and R (eq. 5) from pooled sums: scalars (``"batch"``) or ``(N,)``."""
    f = resolve_indicator(indicator)
    h, g = flatten_pair(pred, gt)
    s = shared_ink(h, g, eps)
    w = f(h)
    numerator = pool((w * s if cancellation else s).sum(1), reduction)
    soft_precision = (numerator + smooth) / (pool(w.sum(1), reduction) + smooth)
    shared = pool(s.sum(1), reduction)
    recall = (shared + smooth) / (pool((g > 0).to(g.dtype).sum(1), reduction) + smooth)
    return soft_precision, recall


def soft_precision(
    pred: Tensor,
    gt: Tensor,
    indicator: str | Indicator = f_linear,
    cancellation: bool = True,
    reduction: str = "batch",
    eps: float = DEFAULT_EPS,
    smooth: float = DEFAULT_SMOOTH,
) -> Tensor:
    r"""Differentiable grayscale precision P~, eq. 9.

    .. math::
        \tilde P = \frac{\sum_p f(H_p)\, \min\{G_p,H_p\}/\max\{G_p,H_p,\epsilon\} + s}
                        {\sum_p f(H_p) + s}

    With ``cancellation=False`` the numerator's ``f(H_p)`` is dropped (the
    plain substitution of ``f`` for ``[H_p > 0]`` in eq. 4); with
    ``f = exact_indicator``, ``cancellation=False`` and ``smooth=0`` this is eq. 4.

    Args:
        pred: H, ``(N, 1, H, W)`` (or ``(N, H, W)``, ``(H, W)``) predicted ink in [0, 1].
        gt: G, same shape.
        indicator: f, a callable or a spec for :func:`parse_indicator`
            (default eq. 7 with (0.1, 0.9)).
        cancellation: multiply the numerator by ``f(H_p)`` too (the paper's heuristic).
        reduction: ``"batch"`` | ``"image"`` | ``"none"``, see :mod:`senga.losses.reduction`.
        eps: the per-pixel max's epsilon (paper's footnote).
        smooth: s, added to numerator and denominator.

    Returns:
        Scalar, or ``(N,)`` for ``reduction="none"``.
    """
    return finish(
        _pooled_precision_recall(pred, gt, indicator, cancellation, reduction, eps, smooth)[0], reduction
    )


def soft_recall(
    pred: Tensor,
    gt: Tensor,
    reduction: str = "batch",
    eps: float = DEFAULT_EPS,
    smooth: float = DEFAULT_SMOOTH,
) -> Tensor:
    r"""Grayscale recall, eq. 5, differentiable through the shared ink.

    .. math::
        R = \frac{\sum_p \min\{G_p,H_p\}/\max\{G_p,H_p,\epsilon\} + s}{\sum_p [G_p > 0] + s}

    ``[G_p > 0]`` is a constant, so no indicator is needed. Arguments as
    :func:`soft_precision`.
    """
    return finish(_pooled_precision_recall(pred, gt, f_linear, True, reduction, eps, smooth)[1], reduction)


def soft_f1(
    pred: Tensor,
    gt: Tensor,
    indicator: str | Indicator = f_linear,
    cancellation: bool = True,
    reduction: str = "batch",
    eps: float = DEFAULT_EPS,
    smooth: float = DEFAULT_SMOOTH,
) -> Tensor:
    r"""Differentiable F1~, eq. 10: the harmonic mean of P~ (eq. 9) and R (eq. 5).

    .. math::
        \tilde F_1 = \frac{2 R \tilde P}{R + \tilde P}

    Arguments as :func:`soft_precision`. With ``reduction="image"`` this is
    the mean of per-image F1~ values.

    Example::

        >>> g = torch.zeros(1, 1, 2, 2); g[..., 0, 0] = 1.0
        >>> soft_f1(g.clone(), g)   # perfect prediction
        tensor(1.)
    """
    p, r = _pooled_precision_recall(pred, gt, indicator, cancellation, reduction, eps, smooth)
    return finish(2.0 * r * p / (r + p), reduction)
