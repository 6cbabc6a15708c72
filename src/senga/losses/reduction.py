"""Input checks and the one reduction rule every senga loss follows.

Each loss is a formula over per-image sums (e.g. ``sum_p f(H_p)``). The
``reduction`` argument decides where the batch is collapsed:

* ``"batch"`` (default): sum the statistics over the whole batch first, as if
  the batch were one big image, then apply the formula once -> scalar. Stays
  well defined when a random crop has no ink at all.
* ``"image"``: apply the formula per image, then take the mean -> scalar.
* ``"none"``: apply the formula per image -> ``(N,)``.

So a loss reads: ``stats = pool(per_image_sums, reduction)``, formula,
``finish(values, reduction)``.
"""

from __future__ import annotations

from typing import Literal

from torch import Tensor

Reduction = Literal["batch", "image", "none"]
REDUCTIONS: tuple[str, ...] = ("batch", "image", "none")


def check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"unknown reduction {reduction!r}; expected one of {', '.join(REDUCTIONS)}")


def flatten_pair(pred: Tensor, gt: Tensor) -> tuple[Tensor, Tensor]:
    """Check ``pred``/``gt`` and flatten each image: ``(H,W)|(N,H,W)|(N,1,H,W)`` -> ``(N, H*W)``.

    ``(H, W)`` is one image (N = 1).
    """
    if pred.shape != gt.shape:
        raise ValueError(f"pred and gt shapes differ: {tuple(pred.shape)} vs {tuple(gt.shape)}")
    if pred.ndim not in (2, 3, 4) or (pred.ndim == 4 and pred.shape[1] != 1):
        raise ValueError(
            f"expected ink maps shaped (N, 1, H, W), (N, H, W) or (H, W), got {tuple(pred.shape)}"
        )
    if not (pred.is_floating_point() and gt.is_floating_point()):
        raise ValueError(f"pred and gt must be float tensors, got {pred.dtype} and {gt.dtype}")
    if pred.ndim == 2:
        pred, gt = pred[None], gt[None]
    return pred.flatten(1), gt.flatten(1)


def pool(per_image: Tensor, reduction: str) -> Tensor:
    """``(N,)`` per-image sums -> their total (``"batch"``) or unchanged (``"image"``, ``"none"``)."""
    check_reduction(reduction)
    return per_image.sum() if reduction == "batch" else per_image


def finish(values: Tensor, reduction: str) -> Tensor:
    """Formula output -> the returned value: the mean over images for ``"image"``."""
    return values.mean() if reduction == "image" else values
