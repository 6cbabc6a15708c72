"""Two-render line extraction: exact line alpha and the layers under it.

With every line paint set to one color ``c`` (all other paints unchanged),
alpha compositing is linear in ``c``: each pixel is ``P(c) = A + V * c``,
where ``A`` is what everything else contributes and ``V`` is the *visible*
coverage of the line paints (anti-aliasing, opacity, and whatever fills drawn
on top hide already taken into account). Hence

* ``V = P(white) - P(black)`` (the line alpha, per channel, averaged), and
* ``P(as drawn) - P(black) = sum_i w_i c_i`` gives the lines' own color
  (divided by ``V``).

An outline drawn under a fill contributes only its uncovered rim; one hidden
entirely contributes nothing. The renderer is resvg (``resvg-py``), which
composites in 8-bit, so ``V`` is exact up to 8-bit rounding (1/255).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from senga.data.vector.svg import SvgDocument, SvgError
from senga.errors import first_line


@dataclass
class LineLayers:
    """What one SVG rendering gives (all float32 in [0, 1], size ``(H, W)``).

    Attributes:
        alpha: ``(H, W)`` visible line coverage ``V`` (1 = fully covered by line paint).
        line_rgb: ``(H, W, 3)`` the lines' own color where ``alpha > 0`` (0 elsewhere).
        base: ``(H, W, 3)`` the drawing with the line paints white, on white paper.
        drawn: ``(H, W, 3)`` the drawing as it is, on white paper.
    """

    alpha: np.ndarray
    line_rgb: np.ndarray
    base: np.ndarray
    drawn: np.ndarray


def render_size(doc: SvgDocument, size: int) -> tuple[int, int]:
    """``(height, width)`` with the longer side ``size`` and the drawing's aspect ratio."""
    if doc.aspect >= 1:
        return max(1, round(size / doc.aspect)), size
    return size, max(1, round(size * doc.aspect))


def render(
    doc: SvgDocument,
    height: int,
    width: int,
    line_color: str | None = None,
    box: tuple[int, int, int, int] | None = None,
) -> np.ndarray:
    """Render on white paper -> ``(H, W, 3) float32`` in [0, 1] (lines ``line_color`` if given).

    ``box = (top, left, bottom, right)`` crops the ``height x width`` canvas
    (default: all of it). resvg derives one side from the other and may be
    1 px off the asked size; the canvas is then cropped or padded with white,
    never resampled.

    Raises:
        SvgError: naming the file, when resvg cannot render it.
    """
    import resvg_py

    try:
        png = resvg_py.svg_to_bytes(
            svg_string=doc.text(line_color),
            width=width,
            height=height,
            background="#ffffff",
            skip_system_fonts=True,
            dpi=96.0,  # resvg-py's default 0 turns mm / in sizes into 0
        )
    except (ValueError, RuntimeError, OSError) as err:
        msg = first_line(err)
        raise SvgError(doc.path, f"cannot render ({msg})") from None
    with Image.open(io.BytesIO(bytes(png))) as img:
        rgb = np.asarray(img.convert("RGB"))  # opaque: the background is white
    if rgb.shape[:2] != (height, width):
        canvas = np.full((height, width, 3), 255, np.uint8)
        hh, ww = min(height, rgb.shape[0]), min(width, rgb.shape[1])
        canvas[:hh, :ww] = rgb[:hh, :ww]
        rgb = canvas
    top, left, bottom, right = box or (0, 0, height, width)
    return rgb[top:bottom, left:right].astype(np.float32) * np.float32(1.0 / 255.0)


def drawing_box(drawn: np.ndarray, margin: int) -> tuple[int, int, int, int]:
    """``(top, left, bottom, right)`` of the non-white pixels of ``drawn``, grown by ``margin``, clipped."""
    ys, xs = np.nonzero(drawn.min(axis=2) < 0.99)
    h, w = drawn.shape[:2]
    if ys.size == 0:
        return 0, 0, h, w
    return (
        max(0, int(ys.min()) - margin),
        max(0, int(xs.min()) - margin),
        min(h, int(ys.max()) + 1 + margin),
        min(w, int(xs.max()) + 1 + margin),
    )


def line_layers(
    doc: SvgDocument, size: int, fit: bool = True, max_zoom: float = 2.5, preview: int = 256
) -> LineLayers:
    """Render ``doc`` three times (as drawn, lines black, lines white) at long side ``size``.

    With ``fit``, a drawing that fills little of its page is rendered larger
    (by up to ``max_zoom``) and cropped to its bounding box plus a 4 % margin,
    so that its long side is about ``size`` px (not a small figure on a large
    white page). The box is found on a ``preview``-px render; the crop is the
    same for the three renders.
    """
    h, w = render_size(doc, size)
    box = (0, 0, h, w)
    if fit:
        ph, pw = render_size(doc, min(size, preview))
        t, left, b, r = drawing_box(render(doc, ph, pw), margin=1)
        fy, fx = h / ph, w / pw
        zoom = min(max_zoom, 0.92 * max(ph, pw) / max(b - t, r - left, 1))  # 0.92: room for the margins
        if zoom < 1.1:
            zoom = 1.0
        h, w = round(h * zoom), round(w * zoom)
        margin = round(0.04 * size)
        box = (
            max(0, int(t * fy * zoom) - margin),
            max(0, int(left * fx * zoom) - margin),
            min(h, int(np.ceil(b * fy * zoom)) + margin),
            min(w, int(np.ceil(r * fx * zoom)) + margin),
        )
    drawn = render(doc, h, w, box=box)
    if not doc.lines:
        zeros = np.zeros(drawn.shape[:2], np.float32)
        return LineLayers(alpha=zeros, line_rgb=np.zeros(drawn.shape, np.float32), base=drawn, drawn=drawn)
    black = render(doc, h, w, "#000000", box=box)
    white = render(doc, h, w, "#ffffff", box=box)
    alpha = np.clip((white - black).mean(axis=2), 0.0, 1.0).astype(np.float32)
    alpha[alpha < 1.5 / 255.0] = 0.0  # 8-bit rounding noise of the renderer
    colored = np.clip(drawn - black, 0.0, 1.0)
    safe = np.where(alpha > 0, alpha, 1.0)[..., None]
    line_rgb = np.where(alpha[..., None] > 0, np.clip(colored / safe, 0.0, 1.0), 0.0).astype(np.float32)
    return LineLayers(alpha=alpha, line_rgb=line_rgb, base=white, drawn=drawn)
