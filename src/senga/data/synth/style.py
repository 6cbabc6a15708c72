"""Per-image style: one random draw of every look decision, from a :class:`SynthConfig`.

A style fixes the framing, line weight and darkness, tapers, sketchiness,
colored trace, shading kind, light direction, palette mode and screentone for
one illustration, so its parts look like one artist drew them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from senga.data.synth.config import SynthConfig

FRAMINGS: tuple[str, ...] = ("closeup", "bust", "chibi", "full", "objects")

#: Outline width range in px (at 512 px) per framing, for the thin (anime) style.
_THIN_WIDTH: dict[str, tuple[float, float]] = {
    "closeup": (1.4, 4.0),
    "bust": (1.0, 3.0),
    "chibi": (0.9, 2.6),
    "full": (0.5, 1.6),
    "objects": (1.0, 3.5),
}
#: The same for the thick cartoon style.
_THICK_WIDTH: dict[str, tuple[float, float]] = {
    "closeup": (4.0, 8.0),
    "bust": (3.0, 7.0),
    "chibi": (2.5, 6.0),
    "full": (1.5, 3.5),
    "objects": (3.0, 7.0),
}


@dataclass
class AnimeStyle:
    """Per-image decisions of the opt-in anime features (drawn from their own generator).

    All False (the default config) means the engine draws exactly what it drew before them.
    """

    strands: bool = False  # dense thin strand lines inside hair
    strand_width: float = 1.0  # px on this canvas
    strand_density: float = 1.0  # multiplier of the strand count
    multiply_dark: bool = False  # lines inside dark fills are not lightened
    airbrush: bool = False  # soft airbrush shading over fills
    gloss: bool = False  # glossy soft highlights
    eyes: bool = False  # detailed anime eyes
    shadow_hatch: bool = False  # hatching clipped to cel shadows
    thin: bool = False  # line widths grow with sqrt(canvas / 512) instead of linearly

    @property
    def any(self) -> bool:
        """Whether any anime feature is on."""
        return (
            self.strands
            or self.multiply_dark
            or self.airbrush
            or self.gloss
            or self.eyes
            or self.shadow_hatch
        )


def sample_anime(rng: np.random.Generator, cfg: SynthConfig, short_side: int) -> AnimeStyle:
    """Draw the anime decisions of one image from ``rng`` (its own generator; see ``generator``)."""
    scale = short_side / 512.0
    thin = bool(rng.random() < cfg.thin_hires_prob) and scale > 1.0
    line_scale = float(np.sqrt(scale)) if thin else scale
    return AnimeStyle(
        strands=bool(rng.random() < cfg.hair_strands_prob),
        strand_width=float(rng.uniform(0.5, 1.5) * line_scale),
        strand_density=float(rng.uniform(0.6, 1.6)),
        multiply_dark=bool(rng.random() < cfg.multiply_dark_prob),
        airbrush=bool(rng.random() < cfg.airbrush_prob),
        gloss=bool(rng.random() < cfg.gloss_prob),
        eyes=bool(rng.random() < cfg.detailed_eyes_prob),
        shadow_hatch=bool(rng.random() < cfg.shadow_hatching_prob),
        thin=thin,
    )


@dataclass
class Style:
    """The look of one illustration (all pixel sizes already scaled to the canvas)."""

    framing: str
    animal: bool
    mono: bool
    line_only: bool
    outline_width: float  # px
    max_width: float  # px, no stroke is wider
    detail_ratio: float  # interior line width / outline width
    darkness: float  # base ink darkness of lines
    faint_prob: float  # per group: faint (0.15-0.5) darkness
    fade: float  # darkness variation along strokes
    taper_px: float  # length of a tapered end in px
    tip: float  # width at tips, fraction
    pressure: float  # width wobble
    thick: bool  # cartoon style (uniform thick lines, round ends)
    sketchy: bool
    hatching: bool
    grain: bool
    trace: bool  # colored lines in this image
    trace_share: float
    trace_depth: tuple[float, float]  # line color = fill * uniform(depth)
    shading: str  # "flat" | "cel" | "soft"
    soft_extra: bool
    highlight: bool
    light: tuple[float, float]  # unit vector toward the light
    shadow_tint: np.ndarray  # (3,) multiply color of shadows
    shadow_strength: float
    gradient_prob: float
    pattern_prob: float  # per clothing region: a fill pattern
    lineless_prob: float  # per region: no outline
    tone: bool
    dark_fill: bool
    watercolor: bool
    props: bool
    scale: float  # canvas short side / 512
    anime: AnimeStyle = field(default_factory=AnimeStyle)  # opt-in anime features


def sample_style(rng: np.random.Generator, cfg: SynthConfig, short_side: int) -> Style:
    """Draw a :class:`Style` for a canvas whose shorter side is ``short_side`` px."""
    scale = short_side / 512.0
    w = np.array(
        [cfg.closeup_weight, cfg.bust_weight, cfg.chibi_weight, cfg.full_weight, cfg.objects_weight],
        dtype=np.float64,
    )
    if w.sum() <= 0:
        raise ValueError("SynthConfig: framing weights must not all be zero")
    framing = FRAMINGS[int(rng.choice(len(FRAMINGS), p=w / w.sum()))]
    thick = bool(rng.random() < cfg.thick_style_prob)
    lo, hi = (_THICK_WIDTH if thick else _THIN_WIDTH)[framing]
    width = float(np.exp(rng.uniform(np.log(lo), np.log(hi)))) * scale
    width = float(np.clip(width, cfg.line_width_min, cfg.line_width_max * max(scale, 1.0)))
    sketchy = bool(rng.random() < cfg.sketchy_prob) and not thick
    gray = bool(rng.random() < cfg.gray_lines_prob) or (sketchy and rng.random() < 0.5)
    darkness = float(rng.uniform(0.45, 0.9)) if gray else 1.0
    mono = bool(rng.random() < cfg.monochrome_prob)
    trace = bool(rng.random() < cfg.colored_trace_prob)
    low = bool(rng.random() < cfg.low_contrast_prob)
    trace_depth = (0.6, 0.85) if low else (0.25, 0.6)
    u = rng.random()
    if u < cfg.flat_prob:
        shading = "flat"
    elif u < cfg.flat_prob + (1 - cfg.flat_prob) * cfg.cel_prob:
        shading = "cel"
    else:
        shading = "soft"
    ang = rng.uniform(-0.5, 0.5) * np.pi + (np.pi if rng.random() < 0.5 else 0.0)
    # toward the light: mostly from above (negative y)
    light = (float(np.cos(ang) * 0.8), float(-abs(np.sin(ang)) - 0.35))
    n = float(np.hypot(*light))
    light = (light[0] / n, light[1] / n)
    tint = np.array(
        (
            [rng.uniform(0.55, 0.85), rng.uniform(0.5, 0.8), rng.uniform(0.7, 1.0)]
            if rng.random() < 0.6
            else [rng.uniform(0.6, 0.9)] * 3
        ),
        dtype=np.float32,
    )
    taper_mult = rng.uniform(2.0, 8.0) if not thick else rng.uniform(0.0, 2.0)
    return Style(
        framing=framing,
        animal=bool(rng.random() < cfg.animal_prob),
        mono=mono,
        line_only=bool(rng.random() < cfg.line_only_prob),
        outline_width=width,
        max_width=float(cfg.line_width_max * max(scale, 1.0)),
        detail_ratio=float(rng.uniform(0.75, 1.0) if thick else rng.uniform(0.4, 0.85)),
        darkness=darkness,
        faint_prob=cfg.faint_stroke_prob * (2.5 if sketchy else 1.0),
        fade=float(cfg.fade_strength * rng.uniform(0.0, 1.0) * (1.5 if sketchy else 1.0)),
        taper_px=float(max(width * taper_mult, 2.0 * scale)),
        tip=float(rng.uniform(0.4, 0.8) if thick else rng.uniform(0.03, 0.2)),
        pressure=float(rng.uniform(0.0, 0.12) if thick else rng.uniform(0.05, 0.3)),
        thick=thick,
        sketchy=sketchy,
        hatching=bool(rng.random() < cfg.hatching_prob),
        grain=bool(rng.random() < cfg.pencil_grain_prob) or (sketchy and rng.random() < 0.4),
        trace=trace,
        trace_share=float(cfg.colored_trace_share * rng.uniform(0.5, 1.5)),
        trace_depth=trace_depth,
        shading=shading,
        soft_extra=bool(rng.random() < cfg.soft_extra_prob),
        highlight=bool(rng.random() < cfg.highlight_prob),
        light=light,
        shadow_tint=tint,
        shadow_strength=float(rng.uniform(0.35, 0.85)),
        gradient_prob=cfg.gradient_prob,
        pattern_prob=cfg.cloth_pattern_prob,
        lineless_prob=cfg.lineless_part_prob,
        tone=bool(rng.random() < (cfg.screentone_prob * (4.0 if mono else 1.0))),
        dark_fill=bool(rng.random() < cfg.dark_fill_prob),
        watercolor=bool(rng.random() < cfg.watercolor_prob),
        props=bool(rng.random() < cfg.props_prob),
        scale=scale,
    )


def apply_thin(style: Style) -> None:
    """Thin lines on a large canvas: widths scaled by ``sqrt(scale)`` instead of ``scale``."""
    if not style.anime.thin or style.scale <= 1.0:
        return
    k = float(np.sqrt(style.scale)) / style.scale
    style.outline_width *= k
    style.taper_px *= k
    style.max_width *= k
