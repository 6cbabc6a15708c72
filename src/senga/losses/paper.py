"""The paper's training loss: ``1 / F1~ + 0.001 * BCE(H, G)`` (docs/paper.md, eq. 10 and below)."""

from __future__ import annotations

from torch import Tensor, nn

from senga.losses.bce import BCE_EPS, binary_cross_entropy
from senga.losses.indicators import Indicator, f_linear, resolve_indicator
from senga.losses.reduction import check_reduction, finish
from senga.losses.soft_metrics import DEFAULT_SMOOTH, _pooled_precision_recall
from senga.metrics.grayscale import DEFAULT_EPS


def paper_loss(
    pred: Tensor,
    gt: Tensor,
    indicator: str | Indicator = f_linear,
    cancellation: bool = True,
    f1_weight: float = 1.0,
    bce_weight: float = 1e-3,
    reduction: str = "batch",
    eps: float = DEFAULT_EPS,
    smooth: float = DEFAULT_SMOOTH,
    bce_eps: float = BCE_EPS,
) -> Tensor:
    r"""The paper's loss: reciprocal differentiable F1 (eq. 10) plus a little BCE.

    .. math::
        L = w_F \frac{1}{\tilde F_1(H, G)} + w_B\, \mathrm{BCE}(H, G),
        \qquad \frac{1}{\tilde F_1} = \frac{R + \tilde P}{2 R \tilde P}

    with P~ from eq. 9 and R from eq. 5; the paper uses ``w_F = 1``,
    ``w_B = 0.001`` and ``f = f_linear(0.1, 0.9)``. ``1 / F1~`` is 1 for a
    perfect prediction and grows without bound as P~ or R go to 0. Finite with finite gradients on all-white and
    all-black maps (see ``smooth`` in :mod:`senga.losses.soft_metrics`).

    Args:
        pred: H, ``(N, 1, H, W)`` (or ``(N, H, W)``, ``(H, W)``) predicted ink in [0, 1].
        gt: G, same shape, ground-truth ink in [0, 1].
        indicator: f of eq. 9, a callable or spec (``"linear:0.1,0.9"``, ``"power:100"``, ``"exact"``).
        cancellation: the numerator's ``f(H_p)`` factor of eq. 9.
        f1_weight, bce_weight: w_F and w_B.
        reduction: ``"batch"`` (sums over the whole batch), ``"image"`` (mean of
            per-image losses) or ``"none"`` (``(N,)``).
        eps: the per-pixel max's epsilon; smooth: ratio smoothing; bce_eps: BCE clamp.

    Returns:
        Scalar loss, or ``(N,)`` for ``reduction="none"``.

    Example::

        >>> g = (torch.rand(2, 1, 8, 8) > 0.8).float()
        >>> paper_loss(g.clone(), g)   # perfect: 1/F1~ = 1, BCE ~ 1e-6
        tensor(1.)
    """
    check_reduction(reduction)
    p, r = _pooled_precision_recall(
        pred, gt, resolve_indicator(indicator), cancellation, reduction, eps, smooth
    )
    per = f1_weight * (r + p) / (2.0 * r * p)
    if bce_weight:
        inner = "batch" if reduction == "batch" else "none"  # per-image values until finish()
        bce = binary_cross_entropy(pred, gt, reduction=inner, eps=bce_eps)
        per = per + bce_weight * bce
    return finish(per, reduction)


class PaperLoss(nn.Module):
    """Module form of :func:`paper_loss`; holds the hyper-parameters.

    ``forward(pred, gt)`` with ``pred``, ``gt`` ``(N, 1, H, W)`` -> scalar (or ``(N,)``).
    """

    #: The trainer passes the color input only to losses that need it.
    needs_input: bool = False

    def __init__(
        self,
        indicator: str | Indicator = "linear:0.1,0.9",
        cancellation: bool = True,
        f1_weight: float = 1.0,
        bce_weight: float = 1e-3,
        reduction: str = "batch",
        eps: float = DEFAULT_EPS,
        smooth: float = DEFAULT_SMOOTH,
        bce_eps: float = BCE_EPS,
    ) -> None:
        super().__init__()
        check_reduction(reduction)
        spec = indicator if isinstance(indicator, str) else getattr(indicator, "__name__", repr(indicator))
        self.indicator_spec = spec
        self.indicator = resolve_indicator(indicator)
        self.cancellation = cancellation
        self.f1_weight = f1_weight
        self.bce_weight = bce_weight
        self.reduction = reduction
        self.eps = eps
        self.smooth = smooth
        self.bce_eps = bce_eps

    def forward(self, pred: Tensor, gt: Tensor) -> Tensor:
        return paper_loss(
            pred,
            gt,
            indicator=self.indicator,
            cancellation=self.cancellation,
            f1_weight=self.f1_weight,
            bce_weight=self.bce_weight,
            reduction=self.reduction,
            eps=self.eps,
            smooth=self.smooth,
            bce_eps=self.bce_eps,
        )

    def extra_repr(self) -> str:
        return (
            f"indicator={self.indicator_spec!r}, cancellation={self.cancellation}, "
            f"f1_weight={self.f1_weight}, bce_weight={self.bce_weight}, reduction={self.reduction!r}"
        )
