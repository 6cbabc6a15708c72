"""SVG parsing and line-element marking.

A *line paint* is the fill or the stroke of one shape element whose color is
dark: brightest channel (HSV value, on 0..1) below ``threshold`` (0.3 by
default; so black, dark gray and dark brown are lines while saturated blue or
red are not), or a gradient all of whose stops are that dark, and whose
opacity (element and ancestor ``opacity`` times ``fill-opacity`` /
``stroke-opacity``) is at least 0.5 (fainter dark paints are shading), and
that is not drawn with a ``mix-blend-mode`` (DiceBear's multiplied shadows). Each paint is judged
on its own, so a colored shape with a black stroke gives a line (the stroke)
and a fill (not a line); a black shape drawn under a colored one (DiceBear's
outlines) is a line paint whose visible part is only the rim the colored shape
leaves uncovered.

Paints are resolved the way SVG does for the common cases: presentation
attributes, the ``style`` attribute (which wins over attributes), and
inheritance from ancestor groups (``fill`` defaults to black, ``stroke`` to
none). Not resolved: CSS ``<style>`` sheets, ``currentColor`` and paint
inherited through ``<use>``; such paints are never marked. Shapes inside
``<mask>``, ``<clipPath>``, ``<pattern>`` and ``<marker>`` are never marked,
since recoloring them would change the geometry of other elements rather than
the line color.

Rewriting sets the marked paints to one solid color in the element's
``style`` attribute (which beats presentation attributes and sheets without
``!important``), keeping every opacity, so rendering the same document with
the lines black and with them white differs exactly by the visible line
coverage (see :mod:`senga.data.vector.layers`).
"""

from __future__ import annotations

import copy
import gzip
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageColor

from senga.errors import SengaError

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

#: Elements that paint geometry with fill / stroke.
SHAPE_TAGS = frozenset({"path", "rect", "circle", "ellipse", "line", "polyline", "polygon"})
#: Containers whose content is not painted directly (recoloring would change geometry, not ink).
NON_PAINTED_TAGS = frozenset({"mask", "clipPath", "pattern", "marker"})
#: Default brightness (HSV value) below which a paint counts as a line.
DEFAULT_DARK_THRESHOLD = 0.3
#: Paints fainter than this (effective opacity) are shading, not lines.
MIN_LINE_OPACITY = 0.5

for _prefix, _uri in (
    ("", SVG_NS),
    ("xlink", XLINK_NS),
    ("sodipodi", "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"),
    ("inkscape", "http://www.inkscape.org/namespaces/inkscape"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("cc", "http://creativecommons.org/ns#"),
    ("dc", "http://purl.org/dc/elements/1.1/"),
):
    ET.register_namespace(_prefix, _uri)


class SvgError(SengaError):
    """An SVG file cannot be used. ``str(err)`` is ``"PATH: problem"`` (one line)."""


@dataclass(frozen=True)
class LinePaint:
    """One marked paint: the element (by document order index) and ``"fill"`` or ``"stroke"``."""

    element: int
    prop: str


@dataclass
class SvgDocument:
    """A parsed SVG: the tree, its file (for messages), pixel aspect and the marked line paints.

    ``width`` / ``height`` are the intrinsic size in CSS pixels (from the
    ``width`` / ``height`` attributes, else the ``viewBox``); only their ratio
    is used.
    """

    path: str
    root: ET.Element
    width: float
    height: float
    lines: list[LinePaint]

    @property
    def aspect(self) -> float:
        """Width / height."""
        return self.width / self.height

    def text(self, line_color: str | None = None, hide_lines: bool = False) -> str:
        """The document as SVG text, with every line paint set to ``line_color`` (``None``: as drawn).

        ``hide_lines`` sets the line paints to ``none`` instead (they then
        neither paint nor hide what is under them).
        """
        if line_color is None and not hide_lines:
            return ET.tostring(self.root, encoding="unicode")
        root = copy.deepcopy(self.root)
        elements = list(root.iter())
        paint = "none" if hide_lines else line_color
        for mark in self.lines:
            el = elements[mark.element]
            style = _parse_style(el.get("style", ""))
            style[mark.prop] = str(paint)
            el.set("style", ";".join(f"{k}:{v}" for k, v in style.items()))
        return ET.tostring(root, encoding="unicode")


def local_name(tag: object) -> str:
    """``"{ns}path"`` -> ``"path"`` (comments and processing instructions -> ``""``)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _parse_style(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in text.split(";"):
        if ":" in part:
            k, v = part.split(":", 1)
            if k.strip():
                out[k.strip()] = v.strip()
    return out


#: CSS pixels per unit (96 dpi), for ``width`` / ``height`` attributes.
_UNITS = {
    "": 1.0,
    "px": 1.0,
    "pt": 96 / 72,
    "pc": 16.0,
    "mm": 96 / 25.4,
    "cm": 96 / 2.54,
    "in": 96.0,
    "em": 16.0,
    "ex": 8.0,
}


def _length(text: str | None) -> float | None:
    """``"100"``, ``"100px"``, ``"12.5mm"`` -> CSS pixels; ``"100%"`` or bad -> ``None``."""
    if not text:
        return None
    m = re.fullmatch(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(px|pt|pc|mm|cm|in|em|ex)?\s*", text)
    return float(m.group(1)) * _UNITS[m.group(2) or ""] if m else None


def brightness(color: str) -> float | None:
    """HSV value (brightest channel) in [0, 1] of a CSS color (``None`` if not a plain color)."""
    color = color.strip()
    if len(color) == 9 and color.startswith("#"):  # #rrggbbaa
        color = color[:7]
    try:
        rgb = ImageColor.getrgb(color)
    except ValueError:
        return None
    return max(rgb[:3]) / 255.0


def _gradient_stops(root_ids: dict[str, ET.Element], gid: str, depth: int = 0) -> list[str]:
    el = root_ids.get(gid)
    if el is None or depth > 8:
        return []
    stops = []
    for st in el:
        if local_name(st.tag) == "stop":
            style = _parse_style(st.get("style", ""))
            stops.append(style.get("stop-color", st.get("stop-color", "black")))
    if not stops:
        href = el.get(f"{{{XLINK_NS}}}href") or el.get("href") or ""
        if href.startswith("#"):
            return _gradient_stops(root_ids, href[1:], depth + 1)
    return stops


def _opacity(text: str | None) -> float:
    """``"0.5"`` / ``"50%"`` -> 0.5, clipped to [0, 1]; missing or bad -> 1."""
    if text is None:
        return 1.0
    t = text.strip()
    try:
        v = float(t[:-1]) / 100.0 if t.endswith("%") else float(t)
    except ValueError:
        return 1.0
    return min(max(v, 0.0), 1.0)


def is_dark_paint(paint: str, ids: dict[str, ET.Element], threshold: float) -> bool:
    """Whether a resolved ``fill`` / ``stroke`` value is a line color (see module docstring)."""
    paint = paint.strip()
    m = re.match(r"url\(\s*['\"]?#([^)'\"]+)['\"]?\s*\)", paint)
    if m:
        stops = _gradient_stops(ids, m.group(1))
        lums = [brightness(s) for s in stops]
        return bool(lums) and all(v is not None and v < threshold for v in lums)
    if paint in ("none", "transparent", "currentColor", "inherit", ""):
        return False
    if re.fullmatch(r"#[0-9a-fA-F]{8}", paint) and int(paint[7:], 16) < 128:
        return False  # #rrggbbaa fainter than half: shading
    lum = brightness(paint)
    return lum is not None and lum < threshold


def _intrinsic_size(root: ET.Element, path: str) -> tuple[float, float]:
    w, h = _length(root.get("width")), _length(root.get("height"))
    if w and h and w > 0 and h > 0:
        return w, h  # the canvas the renderer fits the viewBox into
    vb = root.get("viewBox")
    if vb:
        parts = [p for p in re.split(r"[\s,]+", vb.strip()) if p]
        try:
            nums = [float(p) for p in parts]
        except ValueError:
            nums = []
        if len(nums) == 4 and nums[2] > 0 and nums[3] > 0:
            return nums[2], nums[3]
    raise SvgError(path, "no usable size (needs a viewBox or width and height)")


def parse_svg(
    source: str | os.PathLike[str], text: str | None = None, threshold: float = DEFAULT_DARK_THRESHOLD
) -> SvgDocument:
    """Parse an SVG file (or ``text``, with ``source`` naming it) and mark its line paints.

    Raises:
        SvgError: missing or unreadable file, not XML, root not ``<svg>``, no size.
    """
    path = str(source)
    if text is None:
        p = Path(source)
        if not p.is_file():
            raise SvgError(path, "no such file")
        try:
            data = p.read_bytes()
        except OSError as err:
            raise SvgError(path, f"cannot read ({err.strerror or err})") from None
        if data[:2] == b"\x1f\x8b":  # .svgz
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError) as err:
                raise SvgError(path, f"not a gzip-compressed SVG ({err})") from None
        if not data.strip():
            raise SvgError(path, "empty file")
        try:
            root = ET.fromstring(data)
        except ET.ParseError as err:
            raise SvgError(path, f"not an SVG file (XML error: {err})") from None
    else:
        try:
            root = ET.fromstring(text)
        except ET.ParseError as err:
            raise SvgError(path, f"not an SVG file (XML error: {err})") from None
    if local_name(root.tag) != "svg":
        raise SvgError(path, f"not an SVG file (root element is <{local_name(root.tag) or '?'}>)")
    width, height = _intrinsic_size(root, path)
    ids = {el_id: el for el in root.iter() if (el_id := el.get("id"))}
    lines: list[LinePaint] = []
    index = {id(el): i for i, el in enumerate(root.iter())}

    def walk(el: ET.Element, inherited: dict[str, str], opacity: float, painted: bool) -> None:
        name = local_name(el.tag)
        if not name:
            return
        props = dict(inherited)
        style = _parse_style(el.get("style", ""))
        for prop in ("fill", "stroke", "fill-opacity", "stroke-opacity"):
            value = style.get(prop, el.get(prop))
            if value is not None and value.strip() != "inherit":
                props[prop] = value.strip()
        opacity *= _opacity(style.get("opacity", el.get("opacity")))
        blend = style.get("mix-blend-mode", el.get("mix-blend-mode", "normal")).strip()
        painted = painted and name not in NON_PAINTED_TAGS and blend == "normal"
        if painted and name in SHAPE_TAGS:
            for prop in ("fill", "stroke"):
                if prop == "fill" and name == "line":
                    continue
                alpha = opacity * _opacity(props.get(f"{prop}-opacity"))
                if alpha >= MIN_LINE_OPACITY and is_dark_paint(props[prop], ids, threshold):
                    lines.append(LinePaint(index[id(el)], prop))
        for child in el:
            walk(child, props, opacity, painted)

    walk(root, {"fill": "black", "stroke": "none"}, 1.0, True)
    return SvgDocument(path=path, root=root, width=width, height=height, lines=lines)


def has_text(doc: SvgDocument) -> bool:
    """Whether the drawing contains ``<text>`` (dark lettering would be marked as line)."""
    return any(local_name(el.tag) == "text" for el in doc.root.iter())
