"""Morphological line extraction (the paper's ref. [6]): dilate the luminance, subtract.

A dark line thinner than the structuring element disappears when the luminance
``L`` is dilated (grey-level max filter), so the difference

.. math::

    \\text{ink} = \\operatorname{clip}\\Big(\\text{gain} \\cdot
        \\frac{\\operatorname{dilate}_{s \\times s}(L) - L}{255},\\ 0,\\ 1\\Big)

is large on lines and zero inside flat fills (only fill boundaries where the
luminance steps down show up, with the height of the step). ``L`` is the
ITU-R 601-2 luminance ``0.299 R + 0.587 G + 0.114 B`` in [0, 255] (Pillow's
``"L"`` weights, kept as float).

Borders: the max filter only looks at pixels inside the image (OpenCV's
default dilation border, ``max_pool2d``'s implicit ``-inf`` padding), i.e. the
image is treated as continuing past its edge. A fill that touches the border
therefore produces no spurious line along it, and a white border stays white.

Two implementations with the same math: :func:`morph_lines` (numpy/OpenCV, one
``(H, W, 3) uint8`` image) and :func:`morph_lines_torch` (a batch of
``(N, 3, H, W)`` float images in [0, 1], usable on GPU and inside training, e.g.
the ``exp5`` preset's extra input channel). They agree within 1/255.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

#: ITU-R 601-2 luma weights (Pillow's ``"L"`` conversion), R, G, B.
LUMA_WEIGHTS: tuple[float, float, float] = (0.299, 0.587, 0.114)


def _check_params(size: int, gain: float) -> None:
    if not isinstance(size, (int, np.integer)) or size < 1 or size % 2 == 0:
        raise ValueError(f"morph: size must be an odd integer >= 1, got {size!r}")
    if not gain > 0:
        raise ValueError(f"morph: gain must be > 0, got {gain!r}")


def luminance(rgb: np.ndarray) -> np.ndarray:
    """``(H, W, 3) uint8`` RGB -> ``(H, W) float32`` luminance in [0, 255] (ITU-R 601-2)."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 RGB image, got {tuple(rgb.shape)} {rgb.dtype}")
    r, g, b = LUMA_WEIGHTS
    x = rgb.astype(np.float32)
    return r * x[..., 0] + g * x[..., 1] + b * x[..., 2]


def morph_lines(rgb: np.ndarray, size: int = 3, gain: float = 1.0) -> np.ndarray:
    """Morphological line map of one image: ``clip(gain * (dilate(L) - L) / 255, 0, 1)``.

    Args:
        rgb: ``(H, W, 3) uint8`` RGB image.
        size: side of the square structuring element (odd, >= 1). Lines up to
            about ``size // 2`` pixels wide on each side come out fully; thicker
            strokes come out as outlines. ``size=1`` gives an all-zero map.
        gain: multiplies the luminance difference before clipping; ``gain > 1``
            boosts faint lines (and fill edges) at the cost of saturating dark ones.

    Returns:
        ``(H, W) float32`` ink map in [0, 1] (1 = black line).

    Example:
        >>> img = np.full((5, 5, 3), 255, np.uint8); img[2, :] = 0   # black row
        >>> ink = morph_lines(img)
        >>> float(ink[2, 2]), float(ink[0, 2])
        (1.0, 0.0)
    """
    _check_params(size, gain)
    lum = luminance(rgb)
    kernel = np.ones((size, size), np.uint8)
    dilated = cv2.dilate(lum, kernel)  # default border: pixels outside are ignored
    ink = (dilated - lum) * np.float32(gain / 255.0)
    return np.clip(ink, 0.0, 1.0).astype(np.float32, copy=False)


def morph_lines_torch(rgb: torch.Tensor, size: int = 3, gain: float = 1.0) -> torch.Tensor:
    """Batched torch version of :func:`morph_lines` (same math, agrees within 1/255).

    Args:
        rgb: ``(N, 3, H, W)`` float tensor in [0, 1] (any device / float dtype).
        size: side of the square structuring element (odd, >= 1).
        gain: as in :func:`morph_lines`.

    Returns:
        ``(N, 1, H, W)`` ink in [0, 1], same dtype and device as ``rgb``.
    """
    _check_params(size, gain)
    if rgb.ndim != 4 or rgb.shape[1] != 3:
        raise ValueError(f"expected an (N, 3, H, W) tensor, got {tuple(rgb.shape)}")
    w = torch.tensor(LUMA_WEIGHTS, dtype=rgb.dtype, device=rgb.device).view(1, 3, 1, 1)
    lum = (rgb * w).sum(dim=1, keepdim=True)  # [0, 1]
    # max_pool2d pads with -inf: pixels outside the image never win the max.
    dilated = F.max_pool2d(lum, kernel_size=size, stride=1, padding=size // 2)
    return ((dilated - lum) * gain).clamp_(0.0, 1.0)


class MorphLines(nn.Module):
    """Module form of :func:`morph_lines_torch`: ``(N, 3, H, W)`` -> ``(N, 1, H, W)``."""

    def __init__(self, size: int = 3, gain: float = 1.0) -> None:
        super().__init__()
        _check_params(size, gain)
        self.size = size
        self.gain = gain

    def forward(self, rgb: torch.Tensor) -> torch.Tensor:
        return morph_lines_torch(rgb, self.size, self.gain)

    def extra_repr(self) -> str:
        return f"size={self.size}, gain={self.gain}"
