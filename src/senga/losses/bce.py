"""Binary cross-entropy on ink probabilities, the auxiliary term of the paper's and Deng's losses."""

from __future__ import annotations

import torch
from torch import Tensor

from senga.losses.reduction import finish, flatten_pair, pool

#: H is clamped to ``[BCE_EPS, 1 - BCE_EPS]`` so ``log`` stays finite (per-pixel loss <= 13.8).
BCE_EPS: float = 1e-6


def binary_cross_entropy(pred: Tensor, gt: Tensor, reduction: str = "batch", eps: float = BCE_EPS) -> Tensor:
    r"""Mean binary cross-entropy of H against the (possibly grayscale) target G.

    .. math::
        \mathrm{BCE}(H, G) = -\frac{1}{|p|}\sum_p G_p \log \hat H_p + (1 - G_p) \log(1 - \hat H_p),
        \qquad \hat H = \mathrm{clamp}(H, \epsilon, 1 - \epsilon)

    Args:
        pred: H, ``(N, 1, H, W)`` (or ``(N, H, W)``, ``(H, W)``) in [0, 1].
        gt: G, same shape, in [0, 1].
        reduction: ``"batch"`` (mean over all pixels), ``"image"`` (mean of
            per-image means; equal here since images share a size) or ``"none"`` (``(N,)``).
        eps: clamp margin; the gradient is 0 where H is clamped.
    """
    h, g = flatten_pair(pred, gt)
    h = h.clamp(eps, 1.0 - eps)
    per_pixel = -(g * torch.log(h) + (1.0 - g) * torch.log1p(-h))
    total = pool(per_pixel.sum(1), reduction)
    count = pool(h.new_full((h.shape[0],), float(h.shape[1])), reduction)
    return finish(total / count, reduction)
