"""The painter: draws one region or line the way the image's :class:`Style` says.

Scene code (characters, props) describes *what* to draw with polygons and
paths in canvas pixels; the painter decides *how*: fill color or gradient,
shading, screentone, outline strokes (cut into pieces, tapered, sometimes
doubled or colored), interior detail lines, and solid ink shapes (pupils,
lashes, eyebrows: filled in the ground truth).

Screentone decisions come from their own generator (``tone_rng``) so that
switching screentone on or off never changes anything else in the image.
"""

from __future__ import annotations

import colorsys

import cv2
import numpy as np

from senga.data.synth import anime_paint, fills
from senga.data.synth.canvas import Canvas
from senga.data.synth.geometry import bezier_chain, resample
from senga.data.synth.raster import Mask, polygon_mask
from senga.data.synth.strokes import Pen, draw_strokes, hatch_paths, outline_pieces, sketch_double
from senga.data.synth.style import Style
from senga.io.color import luma

WHITE = np.ones(3, dtype=np.float32)


class Painter:
    """Draws regions and lines onto ``canvas`` in ``style`` (see module docstring)."""

    def __init__(
        self,
        canvas: Canvas,
        style: Style,
        rng: np.random.Generator,
        tone_rng: np.random.Generator,
        anime_rng: np.random.Generator | None = None,
    ) -> None:
        self.canvas = canvas
        self.style = style
        self.rng = rng
        self.tone_rng = tone_rng
        #: the anime features' own generator (see :mod:`senga.data.synth.anime`, ``anime_paint``)
        self.arng = anime_rng if anime_rng is not None else np.random.default_rng(0)

    # -- colors --------------------------------------------------------------
    def color(self, c: np.ndarray) -> np.ndarray:
        """A palette color as this image shows it (gray on monochrome pages)."""
        return fills.to_gray(c) if self.style.mono else np.asarray(c, dtype=np.float32)

    def trace_color(self, base: np.ndarray) -> tuple[float, float, float]:
        """A colored-trace line color derived from the fill ``base``: same hue, darker, more saturated."""
        h, s, v = colorsys.rgb_to_hsv(*[float(x) for x in base])
        lo, hi = self.style.trace_depth
        v2 = v * self.rng.uniform(lo, hi)
        s2 = min(1.0, s * 1.2 + 0.1) if not self.style.mono else 0.0
        r, g, b = colorsys.hsv_to_rgb(h, s2, v2)
        return (r, g, b)

    # -- pens ----------------------------------------------------------------
    def pen(
        self, lw: float = 1.0, base: np.ndarray | None = None, detail: bool = False, taper: bool = True
    ) -> Pen:
        """A pen for an outline (``detail=False``) or an interior line, ``lw`` x the image's weight."""
        st = self.style
        width = st.outline_width * lw * (st.detail_ratio if detail else 1.0)
        width = float(np.clip(width * self.rng.uniform(0.85, 1.15), 0.35, st.max_width))
        darkness = st.darkness * (1.0 if self.rng.random() < 0.7 else self.rng.uniform(0.8, 1.0))
        if self.rng.random() < st.faint_prob:
            darkness = float(self.rng.uniform(0.15, 0.5))
        color = None
        if st.trace and base is not None and self.rng.random() < st.trace_share:
            color = self.trace_color(base)
        elif detail and base is not None and luma(base) < 0.3 and self.rng.random() < 0.8:
            # lines inside a dark fill: artists lighten them, else they would vanish
            light = fills.light_of(self.color(base), float(self.rng.uniform(0.2, 0.5)))
            if not st.anime.multiply_dark:  # anime: the line layer stays multiplied over the fill
                color = (float(light[0]), float(light[1]), float(light[2]))
        return Pen(
            width=width,
            darkness=float(darkness),
            taper_start=0.2 if taper else 0.0,
            taper_end=0.2 if taper else 0.0,
            tip=st.tip,
            pressure=st.pressure,
            fade=st.fade,
            color=color,
            grain=float(self.rng.uniform(0.3, 0.7)) if st.grain else 0.0,
        )

    def _taper_fraction(self, path: np.ndarray) -> float:
        length = float(np.linalg.norm(np.diff(path, axis=0), axis=1).sum())
        return float(np.clip(self.style.taper_px / max(length, 1e-6), 0.02, 0.45))

    # -- lines ---------------------------------------------------------------
    def lines(
        self,
        paths: list[np.ndarray],
        pen: Pen,
        clip: Mask | None = None,
        taper: tuple[bool, bool] = (True, True),
        smooth: bool = True,
    ) -> None:
        """Ink open strokes through control ``paths`` (canvas px) with ``pen``; tapers per the style."""
        paths = [np.asarray(p, dtype=np.float64) for p in paths if len(p) >= 2]
        if not paths:
            return
        pens = []
        for p in paths:
            f = self._taper_fraction(p)
            pens.append(pen.but(taper_start=f if taper[0] else 0.0, taper_end=f if taper[1] else 0.0))
        draw_strokes(self.canvas, paths, pen, self.rng, clip=clip, smooth=smooth, pens=pens)
        if self.style.sketchy:
            doubled = [
                sketch_double(p, self.rng, pen.width * self.rng.uniform(0.6, 1.8) + 0.5)
                for p in paths
                if self.rng.random() < 0.5
            ]
            if doubled:
                ghost = pen.but(
                    darkness=pen.darkness * float(self.rng.uniform(0.35, 0.8)),
                    width=pen.width * float(self.rng.uniform(0.5, 0.9)),
                )
                draw_strokes(self.canvas, doubled, ghost, self.rng, clip=clip, smooth=True)

    def outline(self, poly: np.ndarray, pen: Pen, breaks: int | None = None) -> None:
        """Ink the closed outline ``poly`` (canvas px) as the strokes an artist would use."""
        st = self.style
        if breaks is None:
            breaks = int(self.rng.integers(0, 2 if st.thick else 4))
        overlap = max(2.0, 2.5 * pen.width)
        if not st.thick and self.rng.random() < 0.3:
            overlap = -float(self.rng.uniform(0.5, 2.5)) * max(pen.width, 1.0)  # small gaps between strokes
        pieces = outline_pieces(poly, self.rng, breaks, overlap=overlap)
        paths, pens = [], []
        for pts, t0, t1 in pieces:
            if st.sketchy:
                pts = pts + self.rng.normal(0, 0.25 * pen.width, size=2)
            f = self._taper_fraction(pts)
            if st.thick:
                f *= 0.5
            paths.append(pts)
            pens.append(pen.but(taper_start=f if t0 else 0.0, taper_end=f if t1 else 0.0))
        draw_strokes(self.canvas, paths, pen, self.rng, smooth=False, pens=pens)
        if st.sketchy:
            doubled = [sketch_double(p, self.rng, pen.width + 1.0) for p in paths if self.rng.random() < 0.6]
            if doubled:
                ghost = pen.but(
                    darkness=pen.darkness * float(self.rng.uniform(0.3, 0.7)), width=pen.width * 0.7
                )
                draw_strokes(self.canvas, doubled, ghost, self.rng, smooth=True)

    # -- regions ---------------------------------------------------------------
    def region(
        self,
        poly: np.ndarray,
        base: np.ndarray,
        *,
        outline: bool = True,
        lw: float = 1.0,
        shade: bool = True,
        tone: bool = True,
        gradient: bool = True,
        holes: list[np.ndarray] | None = None,
        clip: Mask | None = None,
        pattern: bool = False,
        clumps: bool = False,
    ) -> Mask | None:
        """Paint a closed region (occluding what is beneath), shade it and ink its outline.

        Args:
            poly: closed outline ``(K, 2)`` in canvas px.
            base: palette color (before monochrome conversion).
            outline: ink the outline.
            lw: outline weight relative to the image's outline width.
            shade, tone, gradient: allow shading / screentone / a gradient base.
            holes: polygons cut out of the region (even-odd).
            clip: keep the region inside this mask (an iris inside the eye white);
                a clipped region's outline is clipped too.
            pattern: allow a clothing fill pattern (stripes, dots, plaid).
            clumps: allow lineless hair / fur clump shapes in shadow or light tones.

        Returns:
            The region's mask (for clipping interior lines), or None if off-canvas.
        """
        c = self.canvas
        polys = [poly] + (holes or [])
        mask = polygon_mask(polys, c.height, c.width, ss=2, even_odd=bool(holes))
        if mask is None:
            return None
        if clip is not None:
            mask = Mask(mask.roi, mask.alpha * clip.crop(mask.roi))
        col = self.color(base)
        st = self.style
        if st.line_only:
            c.paint(mask, WHITE)
        else:
            paint_col: np.ndarray = col
            if gradient and self.rng.random() < st.gradient_prob:
                other = (
                    fills.shadow_of(col, st.shadow_tint, self.rng.uniform(0.2, 0.5))
                    if self.rng.random() < 0.6
                    else fills.light_of(col, 0.35)
                )
                ang = float(np.arctan2(-st.light[1], -st.light[0]) + self.rng.normal(0, 0.4))
                paint_col = fills.linear_gradient(mask, col, other, ang)
            if st.watercolor:
                c.paint(mask, WHITE)
                dx, dy = self.rng.integers(-3, 4, size=2) * max(st.scale, 0.5)
                moved = Mask(mask.roi, cv2.GaussianBlur(mask.shifted(int(dx), int(dy)), (0, 0), 1.2))
                c.paint(moved, paint_col, occlude=False)
            else:
                c.paint(mask, paint_col)
            if pattern and self.rng.random() < st.pattern_prob:
                self.cloth_pattern(mask, col)
            if shade:
                self.shade(mask, col)
            if clumps and st.shading != "flat" and self.rng.random() < 0.4:
                self.clumps(mask, col)
            if tone:
                self.maybe_tone(mask, col)
            if shade and st.anime.any:
                anime_paint.airbrush(self, mask, col)
                anime_paint.gloss_spot(self, mask, col)
        if outline and self.rng.random() < st.lineless_prob:
            outline = False
        if outline:
            if clip is None:
                # bigger shapes get heavier outlines (silhouettes), small details lighter ones
                ext = float(np.sqrt(mask.alpha.shape[0] * mask.alpha.shape[1])) / min(c.height, c.width)
                self.outline(poly, self.pen(lw * float(np.clip(0.8 + 0.7 * ext, 0.8, 1.25)), base=col))
            else:
                self.lines(
                    [np.concatenate([poly, poly[:1]])],
                    self.pen(lw, base=col, detail=True),
                    clip=clip,
                    taper=(False, False),
                    smooth=False,
                )
        return mask

    def cloth_pattern(self, mask: Mask, col: np.ndarray) -> None:
        """Stripes, polka dots or plaid painted into a clothing region (fill, not line)."""
        rng = self.rng
        kind = ("stripes", "dots", "plaid")[int(rng.integers(3))]
        period = float(rng.uniform(8.0, 28.0) * max(self.style.scale, 0.4))
        angle = float(rng.choice([0.0, np.pi / 2, np.pi / 4, rng.uniform(0, np.pi)]))
        other = (
            fills.light_of(col, rng.uniform(0.3, 0.8))
            if rng.random() < 0.5
            else fills.shadow_of(col, self.style.shadow_tint, rng.uniform(0.3, 0.7))
        )
        if rng.random() < 0.3:
            other = self.color(fills.vivid(rng))
        if kind == "dots":
            pat = fills.tone_pattern(mask, "dots", period, angle, float(rng.uniform(0.15, 0.3)))
        else:
            pat = fills.tone_pattern(mask, "lines", period, angle, float(rng.uniform(0.15, 0.45)))
            if kind == "plaid":
                cross = fills.tone_pattern(
                    mask, "lines", period, angle + np.pi / 2, float(rng.uniform(0.15, 0.45))
                )
                pat = np.maximum(pat * 0.8, cross * 0.6)
        self.canvas.paint(Mask(mask.roi, pat * mask.alpha), other, occlude=False)

    def clumps(self, mask: Mask, col: np.ndarray) -> None:
        """Lineless leaf-shaped tone patches inside hair or fur (hard color edges that are not lines)."""
        rng = self.rng
        r = mask.roi
        ext = float(min(r.y1 - r.y0, r.x1 - r.x0))
        dark = rng.random() < 0.6
        tone = (
            fills.shadow_of(col, self.style.shadow_tint, float(rng.uniform(0.2, 0.45)))
            if dark
            else fills.light_of(col, float(rng.uniform(0.15, 0.35)))
        )
        for _ in range(int(rng.integers(3, 9))):
            c = np.array([rng.uniform(r.x0, r.x1), rng.uniform(r.y0, r.y1)])
            ang = float(rng.uniform(0.3, 2.8))
            d = np.array([np.cos(ang), np.sin(ang)])
            n = np.array([-d[1], d[0]])
            ln = ext * float(rng.uniform(0.12, 0.35))
            wd = ln * float(rng.uniform(0.12, 0.3))
            leaf = np.array(
                [c - d * ln / 2, c + n * wd - d * ln * 0.1, c + d * ln / 2, c - n * wd * 0.6 + d * ln * 0.05]
            )
            poly = bezier_chain(leaf, np.array([0.15, 0.15, 0.15, 0.15]), closed=True, step=1.5)
            self.soft_patch(poly, tone, mask, blur=0.0, opacity=float(rng.uniform(0.6, 1.0)), raw=True)

    def shade(self, mask: Mask, col: np.ndarray) -> None:
        """Shadows and highlights on a painted region, per the style."""
        st = self.style
        if st.shading == "flat" or st.line_only:
            return
        h, w = mask.alpha.shape
        ext = float(min(h, w))
        depth = ext * float(self.rng.uniform(0.08, 0.28))
        strength = st.shadow_strength * float(self.rng.uniform(0.7, 1.1))
        if st.shading == "cel":
            fills.cel_shade(self.canvas, mask, col, st.light, depth, st.shadow_tint, strength)
            if self.rng.random() < 0.3:
                fills.cel_shade(
                    self.canvas, mask, col, st.light, depth * 0.35, st.shadow_tint, strength * 0.6
                )
        else:
            fills.cel_shade(
                self.canvas,
                mask,
                col,
                st.light,
                depth * 1.3,
                st.shadow_tint,
                strength,
                soft=max(depth * 0.5, 1.0),
            )
        if st.anime.shadow_hatch:
            anime_paint.shadow_hatching(
                self, mask, col, fills.crescent(mask, st.light[0] * depth, st.light[1] * depth)
            )
        if st.soft_extra:
            fills.edge_darken(
                self.canvas, mask, ext * 0.08, float(self.rng.uniform(0.15, 0.4)), st.shadow_tint
            )
        if st.highlight and self.rng.random() < 0.5:
            fills.rim_light(
                self.canvas, mask, col, st.light, max(depth * 0.25, 1.0), float(self.rng.uniform(0.25, 0.6))
            )
        if st.hatching and self.rng.random() < 0.25 and ext > 12:
            self.hatch(mask, col, ext)

    def hatch(self, mask: Mask, col: np.ndarray, ext: float) -> None:
        """A group of hatching strokes on the shadow side of a region, clipped to it."""
        st = self.style
        r = mask.roi
        cx, cy = 0.5 * (r.x0 + r.x1), 0.5 * (r.y0 + r.y1)
        cx -= st.light[0] * ext * 0.3
        cy -= st.light[1] * ext * 0.3
        pen = self.pen(0.5, base=col, detail=True)
        count = int(self.rng.integers(3, 9))
        spacing = max(2.5 * pen.width + 1.5, 3.0 * st.scale)
        angle = float(self.rng.uniform(0.5, 1.2) * (1 if self.rng.random() < 0.5 else -1))
        paths = hatch_paths(
            (cx, cy), angle, count, spacing, ext * float(self.rng.uniform(0.15, 0.35)), self.rng
        )
        self.lines(paths, pen, clip=mask)

    def maybe_tone(self, mask: Mask, col: np.ndarray) -> None:
        """Screentone in some regions of images whose style has it (own generator, see module doc)."""
        tr = self.tone_rng
        if not self.style.tone or tr.random() > 0.4:
            return
        kind = "dots" if tr.random() < 0.65 else "lines"
        sc = self.style.scale
        period = float(tr.uniform(3.0, 7.0) * max(sc, 0.5))
        angle = float(np.deg2rad(45 if tr.random() < 0.6 else tr.uniform(0, 180)))
        size = float(tr.uniform(0.18, 0.42))
        ramp = float(tr.uniform(0.3, 1.0)) if tr.random() < 0.3 else 0.0
        pattern = fills.tone_pattern(mask, kind, period, angle, size, ramp)
        tone_col = fills.shadow_of(col, self.style.shadow_tint, 1.0) * np.float32(tr.uniform(0.3, 0.8))
        if self.style.mono or tr.random() < 0.5:
            tone_col = np.full(3, float(tr.uniform(0.0, 0.4)), dtype=np.float32)
        fills.screentone(self.canvas, mask, pattern, tone_col, float(tr.uniform(0.4, 0.9)))

    # -- solid ink -------------------------------------------------------------
    def ink_shape(
        self,
        poly: np.ndarray,
        base: np.ndarray | None = None,
        holes: list[np.ndarray] | None = None,
        clip: Mask | None = None,
    ) -> Mask | None:
        """A solid dark shape that belongs to the line art (pupil, lash, eyebrow, nose): filled ink."""
        c = self.canvas
        polys = [poly] + (holes or [])
        mask = polygon_mask(polys, c.height, c.width, ss=4, pad=2.0, even_odd=bool(holes))
        if mask is None:
            return None
        if clip is not None:
            mask = Mask(mask.roi, mask.alpha * clip.crop(mask.roi))
        pen = self.pen(1.0, base=base)
        darkness = (
            self.style.darkness if self.rng.random() < 0.9 else pen.darkness
        )  # solid shapes are rarely faint
        c.add_ink(mask.roi, mask.alpha * np.float32(darkness), pen.color)
        return mask

    def punch(self, poly: np.ndarray, color: np.ndarray = WHITE) -> None:
        """A lineless highlight that also removes ink beneath it (the white dots in eyes)."""
        c = self.canvas
        mask = polygon_mask([poly], c.height, c.width, ss=4)
        if mask is None:
            return
        c.paint(mask, WHITE if self.style.line_only else self.color(color))

    def soft_patch(
        self,
        poly: np.ndarray,
        color: np.ndarray,
        clip: Mask | None,
        blur: float,
        opacity: float = 1.0,
        raw: bool = False,
    ) -> None:
        """A lineless, optionally blurred patch (muzzle, belly, blush) inside ``clip``.

        ``raw``: ``color`` is already as shown (no monochrome conversion).
        """
        c = self.canvas
        if self.style.line_only:
            return
        mask = polygon_mask([poly], c.height, c.width, ss=2, pad=3 * blur + 2)
        if mask is None:
            return
        a = cv2.GaussianBlur(mask.alpha, (0, 0), blur) if blur > 0.3 else mask.alpha
        if clip is not None:
            a = a * clip.crop(mask.roi)
        c.paint(Mask(mask.roi, a * np.float32(opacity)), color if raw else self.color(color), occlude=False)

    def dense(self, pts: np.ndarray, step: float = 2.0) -> np.ndarray:
        """Evenly resampled closed polygon (step in px)."""
        return resample(pts, step, closed=True)
