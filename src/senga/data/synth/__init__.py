"""The synthetic illustration engine: color illustrations whose exact line art is known.

Each pair is drawn, not extracted: a character (or a still life) is painted
back to front into a fill layer and a line layer (the ground truth), and the
color image is ``fill * (1 - ink)`` plus colored-trace lines, then optionally
degraded (blur, resampling, noise, JPEG). See ``docs/synthetic_data.md``.

Modules, one job each:

==============  ==============================================================
``config``      :class:`SynthConfig`: every frequency and strength
``style``       per-image look (line weight, shading kind, palette mode, ...)
``geometry``    splines, resampling, blobs, sharp-cornered outlines
``raster``      supersampled anti-aliased polygon coverage in ROIs
``canvas``      the layers and the paint / ink operations on them
``strokes``     pressure-varying tapered strokes, sketchy doubles, hatching
``fills``       palettes, cel / soft shading, gradients, screentone
``painter``     draws a region or a line the way the style says
``anime``       opt-in anime details: hair strands, gloss, airbrush, eyes, hatching
``shapes``      pure geometry of heads, ears, eyes, stars, hearts, ...
``face`` / ``hair`` / ``body`` / ``character``   a character, back to front
``props``       emote marks, held props, still lifes
``scene``       framing of the figure on the canvas
``compose``     final color from the layers
``degrade``     file realism of the color image only
``generator``   :func:`generate_pair`, :class:`SynthStream`
``dataset``     :func:`write_dataset`, :func:`contact_sheet`
==============  ==============================================================
"""

from __future__ import annotations

from senga.data.synth.config import STYLES, SynthConfig
from senga.data.synth.dataset import contact_sheet, pair_name, write_dataset
from senga.data.synth.generator import (
    SYNTH_VERSION,
    SynthStream,
    generate_pair,
    generate_pair_debug,
    pair_seed,
    parse_size,
)

__all__ = [
    "STYLES",
    "SYNTH_VERSION",
    "SynthConfig",
    "SynthStream",
    "contact_sheet",
    "generate_pair",
    "generate_pair_debug",
    "pair_name",
    "pair_seed",
    "parse_size",
    "write_dataset",
]
