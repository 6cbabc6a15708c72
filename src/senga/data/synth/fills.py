"""Paint under the lines: palettes, flat fills, cel and soft shading, gradients, screentone.

Nothing in this module touches the ink layer: shading, highlights, gradients
and screentone (halftone dots or ruled line patterns) are part of the color
image only, never of the ground truth.
"""

from __future__ import annotations

import colorsys

import cv2
import numpy as np

from senga.data.synth.canvas import Canvas
from senga.data.synth.raster import Mask, Roi
from senga.io.color import luma

RGB = np.ndarray  # (3,) float32 in [0, 1]

#: Skin tones (light to dark), sRGB in [0, 1].
SKIN_TONES: tuple[tuple[float, float, float], ...] = (
    (1.00, 0.93, 0.87),
    (0.99, 0.88, 0.80),
    (0.98, 0.84, 0.74),
    (0.95, 0.78, 0.66),
    (0.85, 0.64, 0.50),
    (0.66, 0.46, 0.34),
)


def hsv(h: float, s: float, v: float) -> RGB:
    """HSV (all in [0, 1], hue wraps) -> RGB ``(3,) float32``."""
    return np.array(
        colorsys.hsv_to_rgb(h % 1.0, float(np.clip(s, 0, 1)), float(np.clip(v, 0, 1))), dtype=np.float32
    )


def jitter(color: RGB | tuple[float, float, float], rng: np.random.Generator, amount: float = 0.03) -> RGB:
    """``color`` with a small random offset per channel."""
    return np.clip(np.asarray(color, dtype=np.float32) + rng.normal(0, amount, 3), 0, 1).astype(np.float32)


def skin(rng: np.random.Generator) -> RGB:
    """A skin tone, mostly light as in most anime art."""
    i = int(min(rng.geometric(0.45) - 1, len(SKIN_TONES) - 1))
    return jitter(SKIN_TONES[i], rng, 0.015)


def hair(rng: np.random.Generator, dark: bool) -> RGB:
    """A hair color; ``dark`` gives black/dark-brown/navy (a large dark fill that is not line)."""
    if dark:
        return hsv(
            rng.choice([0.05, 0.08, 0.62, 0.72, 0.0]) + rng.normal(0, 0.02),
            rng.uniform(0.15, 0.6),
            rng.uniform(0.1, 0.3),
        )
    kind = rng.integers(0, 5)
    if kind == 0:  # blonde / orange
        return hsv(rng.uniform(0.06, 0.14), rng.uniform(0.35, 0.75), rng.uniform(0.8, 1.0))
    if kind == 1:  # brown
        return hsv(rng.uniform(0.03, 0.09), rng.uniform(0.4, 0.7), rng.uniform(0.35, 0.65))
    if kind == 2:  # silver / white
        return hsv(rng.uniform(0, 1), rng.uniform(0.0, 0.12), rng.uniform(0.8, 0.95))
    return hsv(rng.uniform(0, 1), rng.uniform(0.3, 0.7), rng.uniform(0.5, 0.95))  # fantasy colors


def cloth(rng: np.random.Generator, dark_prob: float = 0.15, gray: bool = False) -> RGB:
    """A clothing / object color: mostly mid colors, some white, some dark."""
    u = rng.random()
    if u < dark_prob:
        v = rng.uniform(0.1, 0.3)
    elif u < dark_prob + 0.15:
        v = rng.uniform(0.9, 1.0)
        return hsv(rng.uniform(0, 1), rng.uniform(0.0, 0.08) if not gray else 0.0, v)
    else:
        v = rng.uniform(0.45, 0.95)
    s = 0.0 if gray else rng.uniform(0.15, 0.8)
    return hsv(rng.uniform(0, 1), s, v)


def vivid(rng: np.random.Generator) -> RGB:
    """A saturated accent color (eyes, ribbons, props)."""
    return hsv(rng.uniform(0, 1), rng.uniform(0.5, 0.95), rng.uniform(0.6, 1.0))


def to_gray(color: RGB) -> RGB:
    """Luminance of ``color`` as a gray RGB triple (for monochrome / manga pages)."""
    y = luma(color)
    return np.array([y, y, y], dtype=np.float32)


def shadow_of(color: RGB, tint: RGB, depth: float) -> RGB:
    """Shadow tone: ``color`` multiplied toward ``tint`` by ``depth`` in [0, 1]."""
    return (np.asarray(color) * (1 - depth + depth * np.asarray(tint))).astype(np.float32)


def light_of(color: RGB, amount: float) -> RGB:
    """Highlight tone: ``color`` mixed toward white by ``amount``."""
    c = np.asarray(color, dtype=np.float32)
    return c + (1.0 - c) * np.float32(amount)


# -- shading ---------------------------------------------------------------


def crescent(mask: Mask, dx: float, dy: float, soft: float = 0.0) -> np.ndarray:
    """Part of ``mask`` not covered by itself moved by ``(dx, dy)``: a crescent on the far side.

    With ``soft > 0`` the crescent is blurred by a Gaussian of that sigma (airbrush shading).
    Returns ``(h, w) float32`` over the mask's ROI.
    """
    moved = mask.shifted(int(round(dx)), int(round(dy)))
    a = mask.alpha * (1.0 - moved)
    if soft > 0:
        a = cv2.GaussianBlur(a, (0, 0), soft) * mask.alpha
    return a


def cel_shade(
    canvas: Canvas,
    mask: Mask,
    base: RGB,
    light: tuple[float, float],
    depth_px: float,
    tint: RGB,
    strength: float,
    soft: float = 0.0,
) -> None:
    """Shadow on the side of a region away from the light (hard-edged unless ``soft``).

    Args:
        light: unit vector pointing toward the light.
        depth_px: width of the shadow band in pixels.
        tint: multiply color of the shadow (e.g. a cool purple).
        strength: how far the shadow goes toward ``base * tint``.
    """
    a = crescent(mask, light[0] * depth_px, light[1] * depth_px, soft)
    shadow = shadow_of(base, tint, strength)
    factor = np.where(base > 1e-3, shadow / np.maximum(base, 1e-3), 1.0).astype(np.float32)
    canvas.multiply(Mask(mask.roi, a), factor)


def rim_light(
    canvas: Canvas, mask: Mask, base: RGB, light: tuple[float, float], width_px: float, amount: float
) -> None:
    """A thin lighter band on the side of a region facing the light (hard-edged highlight)."""
    a = crescent(mask, -light[0] * width_px, -light[1] * width_px)
    canvas.paint(Mask(mask.roi, a * 0.9), light_of(base, amount), occlude=False)


def edge_darken(canvas: Canvas, mask: Mask, sigma: float, amount: float, tint: RGB) -> None:
    """Soft darkening toward a region's edges (airbrushed fur / volume, as in cartoon emotes)."""
    blurred = cv2.GaussianBlur(mask.alpha, (0, 0), max(sigma, 0.5))
    a = np.clip(1.0 - blurred * 1.6, 0.0, 1.0) * mask.alpha
    canvas.multiply(Mask(mask.roi, a), tint, strength=amount)


def linear_gradient(mask: Mask, c0: RGB, c1: RGB, angle: float) -> np.ndarray:
    """``(h, w, 3)`` colors over the mask's ROI going from ``c0`` to ``c1`` along ``angle``."""
    h, w = mask.alpha.shape
    ys = np.linspace(-0.5, 0.5, h, dtype=np.float32)[:, None]
    xs = np.linspace(-0.5, 0.5, w, dtype=np.float32)[None, :]
    t = np.clip(xs * np.float32(np.cos(angle)) + ys * np.float32(np.sin(angle)) + 0.5, 0.0, 1.0)
    c0 = np.asarray(c0, dtype=np.float32)
    c1 = np.asarray(c1, dtype=np.float32)
    return c0 + (c1 - c0) * t[..., None]


def soft_spot(
    canvas: Canvas, mask: Mask, center: tuple[float, float], radius: float, color: RGB, opacity: float
) -> None:
    """A blurred round patch of ``color`` inside ``mask`` (blush, glow, airbrush highlight)."""
    ys = np.arange(mask.roi.y0, mask.roi.y1, dtype=np.float32)[:, None] + 0.5
    xs = np.arange(mask.roi.x0, mask.roi.x1, dtype=np.float32)[None, :] + 0.5
    d2 = ((xs - center[0]) ** 2 + (ys - center[1]) ** 2) / np.float32(max(radius, 1.0) ** 2)
    a = np.exp(-2.0 * d2) * np.float32(opacity) * mask.alpha
    canvas.paint(Mask(mask.roi, a), color, occlude=False)


# -- screentone -------------------------------------------------------------


def tone_pattern(
    area: Mask | Roi, kind: str, period: float, angle: float, size: float, ramp: float = 0.0
) -> np.ndarray:
    """A screentone pattern ``(h, w)`` in [0, 1] over ``area`` (a mask's ROI, or a ROI), anti-aliased.

    Args:
        kind: ``"dots"`` (halftone dots on a rotated grid) or ``"lines"`` (ruled lines).
        period: pattern period in pixels.
        angle: grid rotation in radians.
        size: dot radius or line width as a fraction of the period.
        ramp: 0 for uniform tone; >0 makes dots grow across the region (gradation tone).
    """
    r = area.roi if isinstance(area, Mask) else area
    ys = np.arange(r.y0, r.y1, dtype=np.float32)[:, None]
    xs = np.arange(r.x0, r.x1, dtype=np.float32)[None, :]
    c, s = np.float32(np.cos(angle)), np.float32(np.sin(angle))
    u = (xs * c + ys * s) / np.float32(period)
    v = (-xs * s + ys * c) / np.float32(period)
    fu = u - np.floor(u + 0.5)
    size_map: np.ndarray | float = size
    if ramp > 0:
        h = max(r.y1 - r.y0 - 1, 1)
        size_map = size * (1.0 - ramp + ramp * (ys - r.y0) / np.float32(h))
    if kind == "dots":
        fv = v - np.floor(v + 0.5)
        dist = np.sqrt(fu * fu + fv * fv) * np.float32(period)
        return np.clip(size_map * np.float32(period) - dist + 0.5, 0.0, 1.0)
    dist = np.abs(fu) * np.float32(period)
    return np.clip(0.5 * size_map * np.float32(period) - dist + 0.5, 0.0, 1.0)


def screentone(canvas: Canvas, mask: Mask, pattern: np.ndarray, color: RGB, opacity: float) -> None:
    """Multiply a tone ``pattern`` of ``color`` into the fill inside ``mask``; recorded in ``canvas.tone``."""
    a = pattern * mask.alpha * np.float32(opacity)
    canvas.multiply(Mask(mask.roi, a), color)
    canvas.mark_tone(mask.roi, a)
