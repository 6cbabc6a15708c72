"""Deng et al.'s loss (the paper's "Dice" baseline): reciprocal dice coefficient + 0.001 BCE.

Deng et al., "Learning to predict crisp boundaries", ECCV 2018, eq. 1 uses the
dice coefficient of Milletari et al. (V-Net) with squared terms,
``D = 2 sum p g / (sum p^2 + sum g^2)``, and the loss ``1/D + 0.001 * CE``.
Deng's cross-entropy is HED's class-balanced one; this project follows the
paper's description (docs/paper.md, "Compared methods and Table 1") and uses
the plain BCE of the paper's own loss, so the two compared losses differ only
in ``1/D`` vs ``1/F1~``.
"""

from __future__ import annotations

from torch import Tensor, nn

from senga.losses.bce import BCE_EPS, binary_cross_entropy
from senga.losses.reduction import check_reduction, finish, flatten_pair, pool
from senga.losses.soft_metrics import DEFAULT_SMOOTH


def dice_coefficient(
    pred: Tensor, gt: Tensor, reduction: str = "batch", smooth: float = DEFAULT_SMOOTH
) -> Tensor:
    r"""Soft dice coefficient with squared terms (Deng et al. eq. 1, Milletari et al.).

    .. math::
        D = \frac{2 \sum_p H_p G_p + s}{\sum_p H_p^2 + \sum_p G_p^2 + s}

    Args:
        pred: H, ``(N, 1, H, W)`` (or ``(N, H, W)``, ``(H, W)``) in [0, 1].
        gt: G, same shape.
        reduction: ``"batch"`` | ``"image"`` | ``"none"`` (see :mod:`senga.losses.reduction`).
        smooth: s; keeps D = 1 when both maps are empty and 1/D finite otherwise.
    """
    h, g = flatten_pair(pred, gt)
    overlap = pool((h * g).sum(1), reduction)
    mass = pool((h * h).sum(1) + (g * g).sum(1), reduction)
    return finish((2.0 * overlap + smooth) / (mass + smooth), reduction)


def dice_loss(
    pred: Tensor,
    gt: Tensor,
    dice_weight: float = 1.0,
    bce_weight: float = 1e-3,
    reduction: str = "batch",
    smooth: float = DEFAULT_SMOOTH,
    bce_eps: float = BCE_EPS,
) -> Tensor:
    r"""Deng et al.'s loss: reciprocal dice coefficient plus a little BCE.

    .. math::
        L = w_D \frac{\sum_p H_p^2 + \sum_p G_p^2 + s}{2 \sum_p H_p G_p + s} + w_B\, \mathrm{BCE}(H, G)

    Args:
        pred: H, ``(N, 1, H, W)`` (or ``(N, H, W)``, ``(H, W)``) predicted ink in [0, 1].
        gt: G, same shape.
        dice_weight, bce_weight: w_D and w_B (Deng: 1 and 0.001).
        reduction: ``"batch"`` (sums over the whole batch), ``"image"`` (mean of
            per-image losses, Deng's own choice) or ``"none"`` (``(N,)``).
        smooth: s; bce_eps: BCE clamp.

    Example::

        >>> g = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> dice_loss(g.clone(), g, bce_weight=0.0)   # perfect: 1/D = 1
        tensor(1.)
    """
    check_reduction(reduction)
    inner = "batch" if reduction == "batch" else "none"  # per-image values until finish()
    per = dice_weight / dice_coefficient(pred, gt, reduction=inner, smooth=smooth)
    if bce_weight:
        bce = binary_cross_entropy(pred, gt, reduction=inner, eps=bce_eps)
        per = per + bce_weight * bce
    return finish(per, reduction)


class DiceLoss(nn.Module):
    """Module form of :func:`dice_loss`: ``forward(pred, gt)``, ``(N, 1, H, W)`` -> scalar (or ``(N,)``)."""

    #: The trainer passes the color input only to losses that need it.
    needs_input: bool = False

    def __init__(
        self,
        dice_weight: float = 1.0,
        bce_weight: float = 1e-3,
        reduction: str = "batch",
        smooth: float = DEFAULT_SMOOTH,
        bce_eps: float = BCE_EPS,
    ) -> None:
        super().__init__()
        check_reduction(reduction)
        self.dice_weight = dice_weight
        self.bce_weight = bce_weight
        self.reduction = reduction
        self.smooth = smooth
        self.bce_eps = bce_eps

    def forward(self, pred: Tensor, gt: Tensor) -> Tensor:
        return dice_loss(
            pred,
            gt,
            dice_weight=self.dice_weight,
            bce_weight=self.bce_weight,
            reduction=self.reduction,
            smooth=self.smooth,
            bce_eps=self.bce_eps,
        )

    def extra_repr(self) -> str:
        return f"dice_weight={self.dice_weight}, bce_weight={self.bce_weight}, reduction={self.reduction!r}"
