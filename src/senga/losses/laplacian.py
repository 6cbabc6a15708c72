"""Exp 5 (Matsuda et al.): a per-pixel loss weighted by the input's Laplacian.

The paper gives only the idea (docs/paper.md, "Compared methods and Table 1"):
weight the loss with a Laplacian-filter map of the grayscale input to
emphasise low-contrast lines. The concrete form here
(a project choice, see docs/metrics_and_losses.md):

* gray ``I = 0.299 R + 0.587 G + 0.114 B`` (ITU-R 601, Pillow's ``"L"``;
  :func:`senga.io.color.luminance_batch`), in [0, 1];
* ``L = |∇²I|`` with the 4-neighbour kernel, replicate padding;
* ``w = 1 + alpha * min(L / tau, 1)``: flat paper/fill gets weight 1, any
  edge with ``|∇²I| >= tau`` the full ``1 + alpha``. Saturating at ``tau``
  (default 0.1, a 10 % step) gives faint lines the same emphasis as bold
  ones, which is the point of the weighting;
* loss: weighted MSE normalised by the weights,
  ``sum w (H-G)^2 / sum w`` (exp 5 is the best-*RMSE* setting).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from senga.io.color import luminance_batch
from senga.losses.reduction import check_reduction, finish, flatten_pair, pool

#: 4-neighbour discrete Laplacian.
LAPLACIAN_KERNEL: tuple[tuple[float, ...], ...] = ((0.0, 1.0, 0.0), (1.0, -4.0, 1.0), (0.0, 1.0, 0.0))


def laplacian_weight_map(rgb: Tensor, alpha: float = 4.0, tau: float = 0.1) -> Tensor:
    r"""Per-pixel loss weights from the Laplacian of the grayscale input.

    .. math::
        w_p = 1 + \alpha \min\left(\frac{|\nabla^2 I|_p}{\tau}, 1\right),
        \qquad I = 0.299 R + 0.587 G + 0.114 B

    Args:
        rgb: ``(N, 3, H, W)`` color input in [0, 1].
        alpha: extra weight of edge pixels (>= 0); weights lie in [1, 1 + alpha].
        tau: Laplacian magnitude at which the weight saturates (> 0).

    Returns:
        ``(N, 1, H, W)`` weights, same dtype and device as ``rgb``.
    """
    if rgb.ndim != 4 or rgb.shape[1] != 3:
        raise ValueError(f"laplacian_weight_map expects rgb shaped (N, 3, H, W), got {tuple(rgb.shape)}")
    if alpha < 0 or tau <= 0:
        raise ValueError(f"laplacian_weight_map needs alpha >= 0 and tau > 0, got alpha={alpha}, tau={tau}")
    gray = luminance_batch(rgb)
    kernel = rgb.new_tensor(LAPLACIAN_KERNEL).view(1, 1, 3, 3)
    lap = F.conv2d(F.pad(gray, (1, 1, 1, 1), mode="replicate"), kernel)
    return 1.0 + alpha * (lap.abs() / tau).clamp(max=1.0)


def laplacian_weighted_loss(pred: Tensor, gt: Tensor, weight: Tensor, reduction: str = "batch") -> Tensor:
    r"""Weighted mean squared error, normalised by the weights.

    .. math::
        L = \frac{\sum_p w_p (H_p - G_p)^2}{\sum_p w_p}

    Args:
        pred: H, ``(N, 1, H, W)`` (or ``(N, H, W)``, ``(H, W)``) predicted ink.
        gt: G, same shape.
        weight: w, same shape, > 0 (e.g. :func:`laplacian_weight_map`).
        reduction: ``"batch"`` | ``"image"`` | ``"none"`` (see :mod:`senga.losses.reduction`).

    Example::

        >>> h, g = torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 0.0]])
        >>> laplacian_weighted_loss(h, g, torch.tensor([[3.0, 1.0]]))   # 3 * 1 / 4
        tensor(0.7500)
    """
    if weight.shape != pred.shape:
        raise ValueError(f"weight shape {tuple(weight.shape)} differs from pred shape {tuple(pred.shape)}")
    h, g = flatten_pair(pred, gt)
    w = weight.reshape(h.shape)
    return finish(pool((w * (h - g) ** 2).sum(1), reduction) / pool(w.sum(1), reduction), reduction)


class LaplacianWeightedLoss(nn.Module):
    """Exp 5's loss as a module: ``forward(pred, gt, rgb)``.

    ``pred``, ``gt``: ``(N, 1, H, W)`` ink; ``rgb``: ``(N, 3, H, W)`` the color
    input in [0, 1], from which the (constant, gradient-free) weights are made.
    """

    #: The trainer must pass the color input as the third argument.
    needs_input: bool = True

    def __init__(self, alpha: float = 4.0, tau: float = 0.1, reduction: str = "batch") -> None:
        super().__init__()
        check_reduction(reduction)
        if alpha < 0 or tau <= 0:
            raise ValueError(
                f"LaplacianWeightedLoss needs alpha >= 0 and tau > 0, got alpha={alpha}, tau={tau}"
            )
        self.alpha = alpha
        self.tau = tau
        self.reduction = reduction

    def forward(self, pred: Tensor, gt: Tensor, rgb: Tensor) -> Tensor:
        if (
            rgb.ndim != 4
            or pred.ndim != 4
            or rgb.shape[0] != pred.shape[0]
            or rgb.shape[2:] != pred.shape[2:]
        ):
            raise ValueError(
                f"rgb {tuple(rgb.shape)} must be (N, 3, H, W) matching pred {tuple(pred.shape)} (N, 1, H, W)"
            )
        with torch.no_grad():
            weight = laplacian_weight_map(rgb.to(pred.dtype), self.alpha, self.tau)
        return laplacian_weighted_loss(pred, gt, weight, self.reduction)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}, tau={self.tau}, reduction={self.reduction!r}"
