"""Anime-style color side for a vector drawing: flat fills, cel shading, highlights, multiplied lines.

Given :class:`~senga.data.vector.layers.LineLayers`, the color image is painted
the way anime illustrations are layered:

1. **Flat fills** under the lines: where the line alpha ``V`` is partial the
   fill color is un-mixed exactly (``(base - V) / (1 - V)``, since the lines
   were rendered white); under (nearly) opaque line pixels it is extended from
   the nearest fill pixel, so each fill reaches the middle of its outline.
2. **Regions**: connected areas of one flat color (split by lines and color
   edges); the one around the drawing is the paper.
3. **Cel shading**: for a random light direction, the band of each region
   within distance ``d`` of its edge on the far side from the light, made
   organic by a blur and a smooth noise field, thresholded hard (cel) or kept
   soft (airbrush); multiplied by a cool shadow tint.
4. **Highlights**: a narrower band on the lit side of some regions and a few
   glossy ellipses, screened toward white.
5. **Paper**: white, a light tint, or a light vertical gradient.
6. **Lines**, multiplied over everything: ``out = fill * (1 - V + V * c)``.
   The line color ``c`` is the drawing's own line color, or pure dark ink, and
   in some regions a *colored trace*: the adjacent fill color, darkened and
   saturated (as anime line colors are recolored to the fill they border).

The line target is ``V`` itself: the compositing never moves, widens or
removes a line, so the pair stays exact. Every random draw comes from the
``rng`` passed in; the result is a pure function of the layers and the rng.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy import ndimage

from senga.data.vector.layers import LineLayers


@dataclass(frozen=True)
class AnimeStyle:
    """Probabilities and ranges of the compositing (fractions of the long image side where noted)."""

    shade_region_p: float = 0.8  # a region gets cel shading
    shade_offset: tuple[float, float] = (0.015, 0.06)  # band width d, fraction of the long side
    soft_shade_p: float = 0.3  # airbrush (soft) instead of cel (hard) shading, per image
    shade_strength: tuple[float, float] = (0.6, 0.85)  # fill multiplied by about this much in shadow
    highlight_region_p: float = 0.35
    highlight_strength: tuple[float, float] = (0.3, 0.6)  # screen toward white by this much
    gloss_p: float = 0.5  # a few glossy ellipses, per image
    paper_tint_p: float = 0.5  # paper not white, per image
    trace_p: float = 0.6  # colored trace at all, per image
    trace_region_p: float = 0.5  # given trace, a region's lines take its color
    trace_darken: tuple[float, float] = (0.3, 0.6)  # HSV value of the traced line, times the fill's
    ink_black_p: float = 0.3  # all lines pure dark ink instead of the drawing's own colors


def flat_fill(layers: LineLayers, opaque: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """The fill layer under the lines and, per pixel, the index of the fill pixel it comes from.

    Returns:
        fill: ``(H, W, 3) float32`` in [0, 1];
        source: ``(2, H, W) int`` row / column indices of the nearest pixel with ``V < opaque``.
    """
    v = layers.alpha[..., None]
    unmixed = np.clip((layers.base - v) / np.maximum(1.0 - v, 1e-3), 0.0, 1.0)
    covered = layers.alpha >= opaque
    if covered.all():
        return np.ones_like(layers.base), np.indices(covered.shape)
    _, source = ndimage.distance_transform_edt(covered, return_indices=True)
    fill = unmixed[source[0], source[1]]
    return fill.astype(np.float32), source


def regions(fill: np.ndarray, alpha: np.ndarray, tol: float = 6.0 / 255.0) -> tuple[np.ndarray, np.ndarray]:
    """Label flat-color regions of ``fill`` -> ``(labels (H, W) int32, paper (H, W) bool)``.

    Pixels on a line (``alpha > 0.5``) or a color edge (a neighbor differing
    by more than ``tol``) get the label of their nearest region pixel. The
    paper is every white region touching the border.
    """
    diff = np.zeros(alpha.shape, bool)
    dy = np.abs(np.diff(fill, axis=0)).max(axis=2) > tol
    dx = np.abs(np.diff(fill, axis=1)).max(axis=2) > tol
    diff[1:] |= dy
    diff[:, 1:] |= dx
    inner = ~(diff | (alpha > 0.5))
    labels, n = ndimage.label(inner)
    if n == 0:
        return np.zeros(alpha.shape, np.int32), np.ones(alpha.shape, bool)
    _, idx = ndimage.distance_transform_edt(labels == 0, return_indices=True)
    labels = labels[idx[0], idx[1]].astype(np.int32)
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    white = fill.min(axis=2) > 0.97
    counts = np.bincount(labels.ravel(), minlength=n + 1)
    white_share = np.bincount(labels.ravel(), weights=white.ravel(), minlength=n + 1) / np.maximum(counts, 1)
    is_paper = np.zeros(n + 1, bool)
    is_paper[border] = white_share[border] > 0.9
    return labels, is_paper[labels]


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, int], scale: float) -> np.ndarray:
    """Smooth noise in about [-1, 1] with features of ``scale`` pixels."""
    h, w = shape
    gh, gw = max(2, int(h / scale) + 2), max(2, int(w / scale) + 2)
    grid = rng.uniform(-1.0, 1.0, size=(gh, gw)).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


def _band(labels: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Pixels whose label differs from the label ``(dy, dx)`` away (outside the image counts as different)."""
    h, w = labels.shape
    shifted = np.full_like(labels, -1)
    ys, yd = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    xs, xd = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    shifted[ys, xs] = labels[yd, xd]
    return shifted != labels


def _hsv_darken(rgb: np.ndarray, value: float, sat_gain: float) -> np.ndarray:
    hsv = cv2.cvtColor(rgb.astype(np.float32), cv2.COLOR_RGB2HSV)
    hsv[..., 1] = np.clip(hsv[..., 1] * sat_gain + 0.1, 0.0, 1.0)
    hsv[..., 2] = hsv[..., 2] * value
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


def composite(layers: LineLayers, rng: np.random.Generator, style: AnimeStyle | None = None) -> np.ndarray:
    """The anime-style color image for ``layers`` -> ``(H, W, 3) uint8`` (see module docstring)."""
    st = style or AnimeStyle()
    h, w = layers.alpha.shape
    long_side = max(h, w)
    fill, source = flat_fill(layers)
    labels, paper = regions(fill, layers.alpha)
    n_labels = int(labels.max()) + 1
    out = fill.copy()

    # Cel shading on the side away from a random light.
    theta = rng.uniform(0.0, 2.0 * np.pi)
    d = rng.uniform(*st.shade_offset) * long_side
    dy, dx = int(round(np.sin(theta) * d)), int(round(np.cos(theta) * d))
    shaded_regions = rng.random(n_labels) < st.shade_region_p
    soft = rng.random() < st.soft_shade_p
    noise = _smooth_noise(rng, (h, w), max(8.0, 3.0 * d))
    band = _band(labels, dy, dx).astype(np.float32)
    sigma = max(1.0, d / 3.0)
    field = cv2.GaussianBlur(band, (0, 0), sigma) + 0.25 * noise
    shadow = (
        cv2.GaussianBlur(np.clip(field, 0, 1), (0, 0), sigma) if soft else (field > 0.5).astype(np.float32)
    )
    shadow *= (shaded_regions[labels] & ~paper).astype(np.float32)
    tint = np.array([rng.uniform(0.75, 0.9), rng.uniform(0.7, 0.85), rng.uniform(0.85, 1.0)], np.float32)
    strength = rng.uniform(*st.shade_strength)
    out = out * (1.0 - shadow[..., None] * (1.0 - strength * tint))

    # Highlights on the lit side.
    lit_regions = (rng.random(n_labels) < st.highlight_region_p) & ~shaded_regions
    lit_regions |= rng.random(n_labels) < st.highlight_region_p / 2
    hy, hx = int(round(-dy * 0.4)), int(round(-dx * 0.4))
    hl = (_band(labels, hy, hx) & lit_regions[labels] & ~paper).astype(np.float32)
    hl = cv2.GaussianBlur(hl, (0, 0), max(1.0, d / 8.0))
    hl = (hl > 0.5).astype(np.float32) * rng.uniform(*st.highlight_strength)
    if rng.random() < st.gloss_p:
        for _ in range(int(rng.integers(2, 7))):
            cy, cx = int(rng.integers(0, h)), int(rng.integers(0, w))
            axes = (
                max(1, int(rng.uniform(0.01, 0.04) * long_side)),
                max(1, int(rng.uniform(0.003, 0.012) * long_side)),
            )
            angle, gain = float(rng.uniform(0, 180)), rng.uniform(0.6, 0.9)
            if paper[cy, cx]:
                continue
            gloss = np.zeros((h, w), np.float32)
            cv2.ellipse(gloss, (cx, cy), axes, angle, 0, 360, 1.0, -1, cv2.LINE_AA)
            gloss *= labels == labels[cy, cx]
            hl = np.maximum(hl, gloss * gain)
    out = out + (1.0 - out) * hl[..., None]

    # Paper.
    if rng.random() < st.paper_tint_p:
        top = 1.0 - rng.uniform(0.0, 0.15, size=3)
        bottom = 1.0 - rng.uniform(0.0, 0.25, size=3)
        ramp = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
        paper_rgb = (top * (1 - ramp) + bottom * ramp).astype(np.float32)
        out = np.where(paper[..., None], np.broadcast_to(paper_rgb, out.shape), out)

    # Line color: own, dark ink, or colored trace; multiplied over.
    if rng.random() < st.ink_black_p:
        ink = np.array([rng.uniform(0.0, 0.12)] * 3, np.float32) + rng.uniform(0.0, 0.05, size=3).astype(
            np.float32
        )
        line_rgb = np.broadcast_to(ink, out.shape).copy()
    else:
        line_rgb = layers.line_rgb.copy()
    if rng.random() < st.trace_p:
        traced_regions = rng.random(n_labels) < st.trace_region_p
        near_label = labels[source[0], source[1]]
        traced = traced_regions[near_label] & ~paper[source[0], source[1]] & (layers.alpha > 0)
        local = out[source[0], source[1]]
        dark = _hsv_darken(local, rng.uniform(*st.trace_darken), rng.uniform(1.1, 1.5))
        line_rgb = np.where(traced[..., None], dark, line_rgb)
    v = layers.alpha[..., None]
    out = out * (1.0 - v + v * line_rgb)
    return np.clip(np.rint(out * 255.0), 0, 255).astype(np.uint8)
