"""``SynthConfig``: every frequency and strength of the synthetic illustration engine.

Probabilities are per image unless a field says "per part" or "per stroke".
Pixel sizes are for a 512 px canvas and scale with the canvas's shorter side.
The defaults are the data the bundled model is trained on; change them only
with a new ``SYNTH_VERSION``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from senga.errors import check_known


@dataclass(frozen=True)
class SynthConfig:
    """Knobs of :func:`senga.data.synth.generate_pair` (see ``docs/synthetic_data.md``)."""

    # -- what is drawn (relative weights of the framings) --------------------
    closeup_weight: float = 0.30  # a head filling the frame, cut by the borders (emote-like)
    bust_weight: float = 0.30  # head and shoulders
    chibi_weight: float = 0.20  # whole small figure with a big head
    full_weight: float = 0.10  # whole figure, anime proportions (small head, thin lines)
    objects_weight: float = 0.10  # a still life of props, no character
    animal_prob: float = 0.45  # animal ears, fur spikes, muzzle, tail
    props_prob: float = 0.5  # extra props / emote marks (hearts, sparkles, sweat drops, a sign)

    # -- lines ---------------------------------------------------------------
    line_width_min: float = 0.5  # px, thinnest outline width drawn
    line_width_max: float = (
        8.0  # px, thickest line width drawn (solid ink shapes such as lashes can be wider)
    )
    thick_style_prob: float = 0.4  # cartoon style: thick uniform outlines (3-8 px)
    faint_stroke_prob: float = 0.08  # per stroke group: darkness 0.15-0.5 instead of the image's
    gray_lines_prob: float = 0.15  # the whole line layer is gray (darkness 0.45-0.9)
    fade_strength: float = 0.35  # max darkness variation along a stroke
    sketchy_prob: float = 0.15  # sketchy style: doubled strokes, looser outlines
    hatching_prob: float = 0.3  # hatching groups in shadows / blush
    pencil_grain_prob: float = 0.08  # pencil grain in the ink (ground truth includes it)
    colored_trace_prob: float = 0.3  # the image has colored lines ("colored trace")
    colored_trace_share: float = 0.6  # share of parts with colored lines in such images
    low_contrast_prob: float = 0.2  # colored lines very close to their fill color
    line_only_prob: float = 0.04  # no fills at all: the color image is the line art on paper
    lineless_part_prob: float = 0.03  # per part: a region with no outline (color edge only, not line)

    # -- fills ---------------------------------------------------------------
    dark_fill_prob: float = 0.35  # dark hair / clothes / fur (dark fills that are not line)
    flat_prob: float = 0.15  # no shading at all
    cel_prob: float = 0.55  # hard-edged shadow tones (else soft airbrush shading)
    soft_extra_prob: float = 0.35  # soft edge-darkening on top of the main shading
    highlight_prob: float = 0.5  # rim lights / hair highlights
    gradient_prob: float = 0.25  # per part: linear gradient instead of a flat base
    cloth_pattern_prob: float = 0.15  # per clothing part: stripes / polka dots / plaid fill (not line)
    screentone_prob: float = 0.15  # some regions get halftone dots / ruled line tone
    monochrome_prob: float = 0.1  # grayscale page (manga-like), screentone more likely
    watercolor_prob: float = 0.06  # fills misregistered and blurred under the lines

    # -- anime-grade features (all off by default, see ``anime_config``) --
    # Drawn from their own generator: with every one of them at 0 the pixels are
    # exactly those of the default engine.
    hair_strands_prob: float = 0.0  # dense thin (0.5-1.5 px at 512) strand lines inside the hair
    multiply_dark_prob: float = 0.0  # lines inside dark fills stay dark (multiplied), not lightened
    airbrush_prob: float = 0.0  # soft airbrushed shading gradients over fills
    gloss_prob: float = 0.0  # glossy soft highlights (hair sheen streaks, specular spots)
    detailed_eyes_prob: float = 0.0  # anime eyes get separate lashes, iris rings / gradients, sparkles
    shadow_hatching_prob: float = 0.0  # thin parallel hatching clipped to cel-shadow shapes
    thin_hires_prob: float = 0.0  # on canvases over 512 px, line widths grow with sqrt(size) only

    # -- file realism (color image only) ---------------------------------------
    blur_prob: float = 0.2  # Gaussian blur, sigma up to blur_sigma_max
    blur_sigma_max: float = 0.8
    resample_prob: float = 0.2  # down- then up-scaling by a factor in [resample_min, 1)
    resample_min: float = 0.55
    noise_prob: float = 0.25  # Gaussian noise, sigma up to noise_sigma_max (of 255)
    noise_sigma_max: float = 4.0
    jpeg_prob: float = 0.3  # JPEG round trip, quality in [jpeg_quality_min, 95]
    jpeg_quality_min: int = 55

    def to_dict(self) -> dict[str, Any]:
        """All fields as a plain dict (for ``meta.json``)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SynthConfig:
        """Build from a dict; unknown keys raise ``ValueError`` naming them and listing the fields."""
        check_known(data, [f.name for f in fields(cls)], "SynthConfig")
        return cls(**data)

    def with_style(self, style: str) -> SynthConfig:
        """This config with the preset ``style`` (:data:`STYLES`) applied on top."""
        from dataclasses import replace

        if style not in STYLES:
            raise ValueError(f"synth style: unknown {style!r} (expected one of {', '.join(STYLES)})")
        return replace(self, **STYLES[style])

    def without_degradation(self) -> SynthConfig:
        """The same config with every file-realism degradation switched off."""
        from dataclasses import replace

        return replace(self, blur_prob=0.0, resample_prob=0.0, noise_prob=0.0, jpeg_prob=0.0)


#: Opt-in presets: field overrides applied by ``SynthConfig.with_style`` / ``senga synth --style``.
#: ``anime`` draws what anime illustrations have and the default engine lacks:
#: dense thin hair strands, lines kept dark over dark fills, airbrush shading and gloss,
#: detailed eyes, hatching in shadows, and thin lines on large canvases; it also leans the
#: existing knobs toward anime (thin lines, colored trace, busts and close-ups, fewer animals).
STYLES: dict[str, dict[str, Any]] = {
    "default": {},
    "anime": {
        "hair_strands_prob": 0.85,
        "multiply_dark_prob": 0.7,
        "airbrush_prob": 0.6,
        "gloss_prob": 0.6,
        "detailed_eyes_prob": 0.8,
        "shadow_hatching_prob": 0.35,
        "thin_hires_prob": 0.8,
        "thick_style_prob": 0.1,
        "animal_prob": 0.15,
        "colored_trace_prob": 0.5,
        "dark_fill_prob": 0.45,
        "closeup_weight": 0.25,
        "bust_weight": 0.4,
        "chibi_weight": 0.1,
        "full_weight": 0.2,
        "objects_weight": 0.05,
    },
}
