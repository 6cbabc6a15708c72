"""Blur-difference line map: how much darker a pixel is than its blurred surround.

.. math::

    \\text{ink} = \\operatorname{clip}\\Big(\\text{gain} \\cdot
        \\frac{G_{\\sigma}(L) - L}{255},\\ 0,\\ 1\\Big)

with ``L`` the ITU-R 601-2 luminance in [0, 255] and ``G_sigma`` a Gaussian
blur. A thin dark line is much darker than the local mean; a flat fill equals
its own mean (ink 0); the dark side of a fill boundary gets a little ink. It is
the linear cousin of :mod:`senga.classical.morph` (mean instead of max), so it
is softer and keeps faint strokes proportionally faint.
"""

from __future__ import annotations

import cv2
import numpy as np

from senga.io.color import luminance

#: Luminance differences below this (in gray levels, 0..255) are float noise of
#: the blur (a flat white area blurs to 255.00005) and count as paper, so that
#: ``ink > 0`` means "darker than its surround" as the exact metrics require.
_NOISE: float = 1e-3


def blurdiff_lines(rgb: np.ndarray, sigma: float = 3.0, gain: float = 3.0) -> np.ndarray:
    """Blur-difference ink map of one image.

    Args:
        rgb: ``(H, W, 3) uint8`` RGB image.
        sigma: std (pixels) of the Gaussian surround; should exceed the line
            half-width (lines much wider than ``2 sigma`` come out hollow).
        gain: multiplies the difference. A line loses part of its darkness to
            its own blur (a 1-px black line on white with ``sigma = 3`` keeps
            about 87%) and faint or colored lines are weak, so ``gain = 3``
            brings common lines to full ink.

    Returns:
        ``(H, W) float32`` ink map in [0, 1].

    Example:
        >>> img = np.full((15, 15, 3), 255, np.uint8)
        >>> img[7, :] = 0
        >>> ink = blurdiff_lines(img)
        >>> bool(ink[7, 7] > 0.5), float(ink[0, 7])
        (True, 0.0)
    """
    if not (sigma > 0 and gain > 0):
        raise ValueError(f"blurdiff: sigma and gain must be > 0, got sigma={sigma}, gain={gain}")
    lum = luminance(rgb)
    blurred = cv2.GaussianBlur(lum, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT_101)
    diff = blurred - lum
    diff[diff < _NOISE] = 0.0  # float rounding of the blur on flat areas is paper, not ink
    ink = diff * np.float32(gain / 255.0)
    return np.clip(ink, 0.0, 1.0).astype(np.float32, copy=False)
