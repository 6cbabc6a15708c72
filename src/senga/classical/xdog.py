"""XDoG line map (Winnemoeller, Kyprianidis, Olsen: "XDoG: an eXtended
difference-of-Gaussians compendium", Computers & Graphics 2012).

With the luminance ``L`` in [0, 1] and ``G_s`` a Gaussian blur of std ``s``:

.. math::

    D = G_{\\sigma}(L) - \\tau \\, G_{k\\sigma}(L)

    \\text{ink} = \\begin{cases} 0 & D \\ge \\varepsilon \\\\
                 \\tanh(\\varphi\\,(\\varepsilon - D)) & D < \\varepsilon \\end{cases}

This is the paper's soft threshold ``T(D) = 1 + tanh(phi (D - eps))`` (white
where ``D >= eps``) written as ink, ``ink = 1 - T``. ``tau`` slightly below 1
leaves flat areas at ``D = (1 - tau) L >= 0`` (paper), while a dark line, darker
than its wider surround, gives ``D < 0``. ``phi`` sets how sharply the ink
saturates: large ``phi`` approaches a binary edge map.
"""

from __future__ import annotations

import cv2
import numpy as np

from senga.io.color import luminance


def _blur(x: np.ndarray, sigma: float) -> np.ndarray:
    # Kernel of +-3 sigma; reflected borders so the image edge is not an edge.
    return cv2.GaussianBlur(x, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT_101)


def xdog_lines(
    rgb: np.ndarray,
    sigma: float = 1.0,
    k: float = 1.6,
    tau: float = 0.98,
    epsilon: float = 0.0,
    phi: float = 20.0,
) -> np.ndarray:
    """XDoG ink map of one image.

    Args:
        rgb: ``(H, W, 3) uint8`` RGB image.
        sigma: std (pixels) of the inner Gaussian; about the half-width of the
            thinnest lines to catch.
        k: ratio of the outer to the inner std (1.6 approximates a Laplacian of
            Gaussian).
        tau: weight of the outer Gaussian, just below 1.
        epsilon: threshold on ``D`` (luminance units in [0, 1]); lower values
            keep only stronger (darker, sharper) lines.
        phi: steepness of the soft threshold; ink reaches 0.76 at
            ``D = epsilon - 1 / phi``.

    Returns:
        ``(H, W) float32`` ink map in [0, 1].

    Example:
        >>> img = np.full((9, 9, 3), 255, np.uint8)
        >>> img[4, :] = 0
        >>> ink = xdog_lines(img)
        >>> bool(ink[4, 4] > 0.9), float(ink[0, 4])
        (True, 0.0)
    """
    if not (sigma > 0 and k > 0 and phi > 0):
        raise ValueError(f"xdog: sigma, k and phi must be > 0, got sigma={sigma}, k={k}, phi={phi}")
    lum = luminance(rgb) * np.float32(1.0 / 255.0)
    d = _blur(lum, sigma) - np.float32(tau) * _blur(lum, k * sigma)
    ink = np.tanh(np.float32(phi) * (np.float32(epsilon) - d))
    return np.clip(ink, 0.0, 1.0).astype(np.float32, copy=False)
