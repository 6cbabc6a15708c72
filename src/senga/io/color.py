"""Luminance: the one place the ITU-R 601-2 luma weights are written.

``L = 0.299 R + 0.587 G + 0.114 B``, the weights Pillow's ``convert("L")`` uses,
so a luminance computed here matches a line image as :func:`senga.io.read_gray`
reads it (up to Pillow's integer rounding). Three forms, one formula:

* :func:`luminance`: an ``(H, W, 3) uint8`` image -> ``(H, W) float32`` in [0, 255]
  (the classical methods, the benchmarks);
* :func:`luma`: one color (any scale, e.g. an RGB triple in [0, 1]) -> a float
  (the synthetic painter's contrast decisions);
* :func:`luminance_batch`: an ``(N, 3, H, W)`` float tensor -> ``(N, 1, H, W)`` in the
  same scale (the batched classical channel, the Laplacian loss's weights).

This module imports neither torch nor OpenCV: :func:`luminance_batch` only uses the
tensor's own methods, so its caller brings torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # annotations only; the function needs no torch import
    from torch import Tensor

__all__ = ["LUMA_WEIGHTS", "luma", "luminance", "luminance_batch"]

#: ITU-R 601-2 luma weights (Pillow's ``"L"`` conversion), R, G, B.
LUMA_WEIGHTS: tuple[float, float, float] = (0.299, 0.587, 0.114)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """``(H, W, 3) uint8`` RGB -> ``(H, W) float32`` luminance in [0, 255] (ITU-R 601-2, kept as float).

    Example:
        >>> [round(float(v), 3) for v in luminance(np.array([[[255, 0, 0], [255, 255, 255]]], np.uint8))[0]]
        [76.245, 255.0]
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 RGB image, got {tuple(rgb.shape)} {rgb.dtype}")
    r, g, b = LUMA_WEIGHTS
    x = rgb.astype(np.float32)
    return r * x[..., 0] + g * x[..., 1] + b * x[..., 2]


def luma(color: Sequence[float] | np.ndarray) -> float:
    """Luma of one RGB color, in the color's own scale (``[0, 1]`` in -> ``[0, 1]`` out).

    >>> round(luma((1.0, 1.0, 0.0)), 3)
    0.886
    """
    r, g, b = LUMA_WEIGHTS
    return float(r * color[0] + g * color[1] + b * color[2])


def luminance_batch(rgb: Tensor) -> Tensor:
    """``(N, 3, H, W)`` float tensor -> ``(N, 1, H, W)`` luminance, same scale, dtype and device."""
    if rgb.ndim != 4 or rgb.shape[1] != 3:
        raise ValueError(f"expected an (N, 3, H, W) tensor, got {tuple(rgb.shape)}")
    weights = rgb.new_tensor(LUMA_WEIGHTS).view(1, 3, 1, 1)
    return (rgb * weights).sum(dim=1, keepdim=True)
