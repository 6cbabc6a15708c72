"""Anti-aliased rasterisation of polygons into small regions of interest (ROIs).

Shapes are drawn with OpenCV's binary ``fillPoly`` at ``ss`` x supersampling
(and 2 more bits of sub-pixel precision through ``shift``), then averaged down
with ``INTER_AREA``: the value of a canvas pixel is the fraction of its
``ss * ss`` sample points inside the shape. OpenCV's own ``LINE_AA`` is not
used because it widens thin shapes by about 1.4 px.

Canvas pixel ``i`` covers ``[i, i + 1)``; its samples sit at ``(k + 0.5) / ss``.
Polygons passed in one call are drawn one ``fillPoly`` each, so they form a
union (one ``fillPoly`` with several polygons would use the even-odd rule).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

_SHIFT = 2  # fillPoly fractional bits


@dataclass(frozen=True)
class Roi:
    """A rectangle of the canvas: rows ``y0:y1``, columns ``x0:x1``."""

    y0: int
    y1: int
    x0: int
    x1: int

    @property
    def shape(self) -> tuple[int, int]:
        return self.y1 - self.y0, self.x1 - self.x0

    @property
    def slices(self) -> tuple[slice, slice]:
        return slice(self.y0, self.y1), slice(self.x0, self.x1)

    def intersect(self, other: Roi) -> Roi | None:
        r = Roi(
            max(self.y0, other.y0), min(self.y1, other.y1), max(self.x0, other.x0), min(self.x1, other.x1)
        )
        return r if r.y1 > r.y0 and r.x1 > r.x0 else None


def roi_around(polys: list[np.ndarray], pad: float, height: int, width: int) -> Roi | None:
    """The ROI holding all ``polys`` plus ``pad`` pixels, clipped to the canvas; None if outside."""
    pts = np.concatenate([np.asarray(p, dtype=np.float64).reshape(-1, 2) for p in polys])
    x0 = int(np.floor(pts[:, 0].min() - pad))
    x1 = int(np.ceil(pts[:, 0].max() + pad)) + 1
    y0 = int(np.floor(pts[:, 1].min() - pad))
    y1 = int(np.ceil(pts[:, 1].max() + pad)) + 1
    r = Roi(max(y0, 0), min(y1, height), max(x0, 0), min(x1, width))
    return r if r.y1 > r.y0 and r.x1 > r.x0 else None


def coverage(
    polys: list[np.ndarray],
    roi: Roi,
    ss: int = 4,
    even_odd: bool = False,
    discs: np.ndarray | None = None,
) -> np.ndarray:
    """Fraction of each ROI pixel covered by the union of ``polys`` (and ``discs``).

    Args:
        polys: polygons ``(K_i, 2)`` in canvas pixel coordinates.
        roi: the canvas rectangle to render.
        ss: supersampling factor per axis (1 = plain binary rasterisation).
        even_odd: draw all polygons in one call (even-odd rule: polygons
            listed inside another become holes) instead of their union.
        discs: optional ``(M, 3)`` filled circles ``(x, y, radius)``, added to the union.

    Returns:
        ``(h, w) float32`` in [0, 1] for the ROI.
    """
    h, w = roi.shape
    buf: np.ndarray = np.zeros((h * ss, w * ss), dtype=np.uint8)
    scale = ss * (1 << _SHIFT)
    origin = np.array([roi.x0, roi.y0], dtype=np.float64)
    offset = 0.5 * (1 << _SHIFT)
    half = 0.5 / ss  # OpenCV fills boundary samples on both sides: inset by half a sample
    ints = [
        np.round((_inset(np.asarray(p, dtype=np.float64), half) - origin) * scale - offset).astype(np.int32)
        for p in polys
        if len(p) >= 3
    ]
    if discs is not None:
        for x, y, r in np.asarray(discs, dtype=np.float64):
            c = (int(round((x - roi.x0) * scale - offset)), int(round((y - roi.y0) * scale - offset)))
            rad = int(round(r * scale - offset))
            if rad > 0:
                cv2.circle(buf, c, rad, 255, -1, cv2.LINE_8, _SHIFT)
    if not ints and discs is None:
        return np.zeros((h, w), dtype=np.float32)
    if even_odd and ints:
        cv2.fillPoly(buf, ints, 255, cv2.LINE_8, _SHIFT)
    else:
        for q in ints:
            cv2.fillPoly(buf, [q], 255, cv2.LINE_8, _SHIFT)
    if ss > 1:
        buf = cv2.resize(buf, (w, h), interpolation=cv2.INTER_AREA)
    return buf.astype(np.float32) * np.float32(1.0 / 255.0)


def _inset(poly: np.ndarray, d: float) -> np.ndarray:
    """Move every vertex of a closed polygon ``d`` px inward (miter offset, capped at 2 d)."""
    nxt = np.empty_like(poly)
    nxt[:-1] = poly[1:]
    nxt[-1] = poly[0]
    e = nxt - poly
    ln = np.sqrt((e * e).sum(axis=1, keepdims=True))
    t = e / np.maximum(ln, 1e-12)
    n_edge = np.stack([-t[:, 1], t[:, 0]], axis=1)  # left normal of edge i -> i+1
    n_vert = n_edge.copy()
    n_vert[1:] += n_edge[:-1]
    n_vert[0] += n_edge[-1]
    nn = (n_vert * n_vert).sum(axis=1, keepdims=True)
    n_vert *= 2.0 / np.maximum(nn, 0.25)  # miter: n / cos^2-ish, capped
    area = float((poly[:, 0] * nxt[:, 1] - nxt[:, 0] * poly[:, 1]).sum())
    sign = 1.0 if area > 0 else -1.0  # clockwise on screen (y down): left normal points inward
    return poly + n_vert * (sign * d)


@dataclass
class Mask:
    """A soft mask ``alpha`` (h, w) float32 in [0, 1] living at ``roi`` of the canvas."""

    roi: Roi
    alpha: np.ndarray

    def crop(self, roi: Roi) -> np.ndarray:
        """This mask's values over ``roi`` (zero where the mask does not reach)."""
        out = np.zeros(roi.shape, dtype=np.float32)
        inter = self.roi.intersect(roi)
        if inter is None:
            return out
        out[inter.y0 - roi.y0 : inter.y1 - roi.y0, inter.x0 - roi.x0 : inter.x1 - roi.x0] = self.alpha[
            inter.y0 - self.roi.y0 : inter.y1 - self.roi.y0, inter.x0 - self.roi.x0 : inter.x1 - self.roi.x0
        ]
        return out

    def grown(self, pad: int, height: int, width: int) -> Mask:
        """The same mask on an ROI ``pad`` px larger on every side (clipped to the canvas)."""
        r = self.roi
        big = Roi(max(r.y0 - pad, 0), min(r.y1 + pad, height), max(r.x0 - pad, 0), min(r.x1 + pad, width))
        return Mask(big, self.crop(big))

    def shifted(self, dx: int, dy: int) -> np.ndarray:
        """This mask moved by ``(dx, dy)`` pixels, as seen through its own ROI."""
        h, w = self.alpha.shape
        out = np.zeros_like(self.alpha)
        if abs(dx) >= w or abs(dy) >= h:
            return out
        ys, yd = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
        xs, xd = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
        out[yd, xd] = self.alpha[ys, xs]
        return out


def polygon_mask(
    polys: list[np.ndarray], height: int, width: int, ss: int = 2, pad: float = 2.0, even_odd: bool = False
) -> Mask | None:
    """Soft mask of a region (union of ``polys``, or even-odd with holes); None if off-canvas."""
    roi = roi_around(polys, pad, height, width)
    if roi is None:
        return None
    return Mask(roi, coverage(polys, roi, ss=ss, even_odd=even_odd))
