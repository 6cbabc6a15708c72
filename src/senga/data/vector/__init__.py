"""Exact (color, line) pairs from vector illustrations (SVG).

* :mod:`senga.data.vector.svg` - parse an SVG, mark its line paints (dark fills / strokes), rewrite their color;
* :mod:`senga.data.vector.layers` - render with the lines black and white: exact visible line alpha;
* :mod:`senga.data.vector.composite` - anime-style color side (flat fills, cel shading, highlights,
  lines multiplied, colored trace);
* :mod:`senga.data.vector.pairs` - screening, and the paired-folder writer behind ``senga vector``.

Needs the ``vector`` extra (``pip install -e '.[vector]'``: resvg-py). Method,
sources and licences: docs/data.md, "Vector pairs".
"""

from __future__ import annotations

from senga.data.vector.composite import AnimeStyle, composite
from senga.data.vector.layers import LineLayers, line_layers
from senga.data.vector.pairs import ScreenConfig, VectorReport, make_pair, screen, write_vector_pairs
from senga.data.vector.svg import LinePaint, SvgDocument, SvgError, parse_svg

__all__ = [
    "AnimeStyle",
    "LineLayers",
    "LinePaint",
    "ScreenConfig",
    "SvgDocument",
    "SvgError",
    "VectorReport",
    "composite",
    "line_layers",
    "make_pair",
    "parse_svg",
    "screen",
    "write_vector_pairs",
]
