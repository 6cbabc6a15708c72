"""Batched torch form of :mod:`senga.classical.morph`: dilate the luminance, subtract.

Same math as :func:`senga.classical.morph.morph_lines` (agrees within 1/255) on a
batch of ``(N, 3, H, W)`` float images in [0, 1], usable on GPU and inside training
(the ``exp5`` preset's extra input channel, :mod:`senga.models.generator`). The
numpy methods of :mod:`senga.classical` import without torch; this module needs it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from senga.classical.morph import check_morph_params
from senga.io.color import luminance_batch

__all__ = ["MorphLines", "morph_lines_torch"]


def morph_lines_torch(rgb: torch.Tensor, size: int = 3, gain: float = 1.0) -> torch.Tensor:
    """Batched torch version of :func:`senga.classical.morph.morph_lines` (same math, agrees within 1/255).

    Args:
        rgb: ``(N, 3, H, W)`` float tensor in [0, 1] (any device / float dtype).
        size: side of the square structuring element (odd, >= 1).
        gain: as in :func:`senga.classical.morph.morph_lines`.

    Returns:
        ``(N, 1, H, W)`` ink in [0, 1], same dtype and device as ``rgb``.
    """
    check_morph_params(size, gain)
    lum = luminance_batch(rgb)  # (N, 1, H, W) in [0, 1]; checks the shape
    # max_pool2d pads with -inf: pixels outside the image never win the max.
    dilated = F.max_pool2d(lum, kernel_size=size, stride=1, padding=size // 2)
    return ((dilated - lum) * gain).clamp_(0.0, 1.0)


class MorphLines(nn.Module):
    """Module form of :func:`morph_lines_torch`: ``(N, 3, H, W)`` -> ``(N, 1, H, W)``."""

    def __init__(self, size: int = 3, gain: float = 1.0) -> None:
        super().__init__()
        check_morph_params(size, gain)
        self.size = size
        self.gain = gain

    def forward(self, rgb: torch.Tensor) -> torch.Tensor:
        return morph_lines_torch(rgb, self.size, self.gain)

    def extra_repr(self) -> str:
        return f"size={self.size}, gain={self.gain}"
