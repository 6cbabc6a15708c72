"""Output styles: how an ink map becomes the image a user gets.

One implementation, used by ``senga extract --style``, ``LineExtractor(style=...)``
and ``senga serve`` (and any other front end): never re-implement these.

Styles (:data:`STYLES`):

* ``"black"`` (default): black lines on white, 8-bit grayscale ``"L"``;
  ``L = round((1 - ink) * 255)``, the file ``senga extract`` always wrote.
* ``"alpha"``: transparent PNG, ``"RGBA"``: every pixel has the line
  ``color`` and ``A = round(ink * 255)``. Composited on white with a black
  color it equals the ``"black"`` style within 1/255.
* ``"controlnet"``: white lines on black (the ControlNet / lineart
  convention), ``"L"``: ``L = round(ink * 255)``, the inverse of ``"black"``
  up to rounding ties.
* ``"color"``: lines that keep their color, ``"RGBA"``: the line's own color
  un-blended from the input RGB over the local paper / fill color
  (:func:`line_colors`), ``A = round(ink * 255)``; needs the input image
  (``render(ink, style, rgb=...)``, :attr:`OutputStyle.needs_rgb`).
  :func:`flatten_on_white` gives the RGB image for formats without alpha.

Two adjustments apply before the style (:func:`adjust_ink`), both off by default:

* ``drop_below``: ink fainter than this (in [0, 1), on the model's ink) is
  removed (set to 0), e.g. 0.1 cleans up faint noise;
* ``gamma``: line contrast, ``ink ** gamma`` (``gamma < 1`` darkens faint
  lines, ``gamma > 1`` lightens them).

Senga's front ends apply styles to the 8-bit line map (``gray_to_ink`` of the
``"black"`` output), so restyling a saved ``"black"`` PNG gives exactly the
same file as extracting with that style.

Example:
    >>> import numpy as np
    >>> ink = np.array([[0.0, 0.5, 1.0]], np.float32)
    >>> render_array(ink, OutputStyle()).tolist()
    [[255, 128, 0]]
    >>> render_array(ink, OutputStyle("controlnet")).tolist()
    [[0, 128, 255]]
    >>> render_array(ink, OutputStyle("alpha", color=(255, 0, 0)))[0, 1].tolist()
    [255, 0, 0, 128]
    >>> render(ink, OutputStyle("black", drop_below=0.6)).getpixel((1, 0))
    255
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from senga.io.images import gray_to_ink

#: The output style names, default first.
STYLES: tuple[str, ...] = ("black", "alpha", "controlnet", "color")

#: Accepted gamma range (inclusive): beyond it a line map is all-or-nothing.
GAMMA_RANGE: tuple[float, float] = (0.1, 10.0)

_HEX_COLOR = re.compile(r"#?([0-9a-fA-F]{6})")


@dataclass(frozen=True)
class OutputStyle:
    """An output style and its adjustments (validated on construction).

    Attributes:
        name: one of :data:`STYLES`.
        color: line color ``(r, g, b)`` in 0..255; only ``"alpha"`` takes one other than black.
        gamma: line contrast exponent, in :data:`GAMMA_RANGE`; 1 = unchanged.
        drop_below: ink below this value becomes paper, in [0, 1); 0 = keep all.

    Raises:
        ValueError: one line naming the field and the problem.
    """

    name: str = "black"
    color: tuple[int, int, int] = (0, 0, 0)
    gamma: float = 1.0
    drop_below: float = 0.0

    def __post_init__(self) -> None:
        if self.name not in STYLES:
            raise ValueError(f"style: unknown style {self.name!r} (choose from {', '.join(STYLES)})")
        color = self.color
        if (
            not isinstance(color, tuple)
            or len(color) != 3
            or not all(isinstance(c, (int, np.integer)) and not isinstance(c, bool) for c in color)
            or not all(0 <= int(c) <= 255 for c in color)
        ):
            raise ValueError(f"style color: expected three integers in 0..255, got {color!r}")
        object.__setattr__(self, "color", tuple(int(c) for c in color))
        if self.color != (0, 0, 0) and self.name != "alpha":  # the same rule for every front end
            raise ValueError(f"line color: applies to the alpha style only (got style {self.name!r})")
        _check_adjustments(self.gamma, self.drop_below)
        object.__setattr__(self, "gamma", float(self.gamma))
        object.__setattr__(self, "drop_below", float(self.drop_below))

    @property
    def is_identity(self) -> bool:
        """True for the plain ``"black"`` style with no adjustment (the raw line map)."""
        return self.name == "black" and self.gamma == 1.0 and self.drop_below == 0.0

    @property
    def mode(self) -> str:
        """The PIL mode :func:`render` gives: ``"RGBA"`` for alpha and color, else ``"L"``."""
        return "RGBA" if self.name in ("alpha", "color") else "L"

    @property
    def needs_rgb(self) -> bool:
        """True when rendering takes colors from the input image (``render(..., rgb=...)``): ``"color"``."""
        return self.name == "color"


def _check_adjustments(gamma: float, drop_below: float) -> None:
    lo, hi = GAMMA_RANGE
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float, np.floating, np.integer)):
        raise ValueError(f"style gamma: expected a number, got {gamma!r}")
    if not math.isfinite(gamma) or not lo <= gamma <= hi:
        raise ValueError(f"style gamma: must be in [{lo:g}, {hi:g}], got {gamma!r}")
    if isinstance(drop_below, bool) or not isinstance(drop_below, (int, float, np.floating, np.integer)):
        raise ValueError(f"style drop_below: expected a number, got {drop_below!r}")
    if not math.isfinite(drop_below) or not 0.0 <= drop_below < 1.0:
        raise ValueError(f"style drop_below: must be in [0, 1), got {drop_below!r}")


def parse_color(text: str) -> tuple[int, int, int]:
    """``"#1a2b3c"`` or ``"1a2b3c"`` -> ``(26, 43, 60)``.

    Raises:
        ValueError: not a 6-digit hex color.
    """
    match = _HEX_COLOR.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"line color: expected a hex color like #000000, got {text!r}")
    h = match.group(1)
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


def _check_ink(ink: np.ndarray) -> np.ndarray:
    ink = np.asarray(ink)
    if ink.ndim != 2:
        raise ValueError(f"ink map must be (H, W), got shape {tuple(ink.shape)}")
    if not np.issubdtype(ink.dtype, np.floating):
        raise ValueError(f"ink map must be float in [0, 1], got dtype {ink.dtype}")
    return ink.astype(np.float32, copy=False)


def adjust_ink(ink: np.ndarray, gamma: float = 1.0, drop_below: float = 0.0) -> np.ndarray:
    """Apply the style adjustments to an ink map.

    ``out = 0 where ink < drop_below, else clip(ink, 0, 1) ** gamma``.

    Args:
        ink: ``(H, W)`` float ink in [0, 1] (1 = line).
        gamma: contrast exponent in :data:`GAMMA_RANGE`.
        drop_below: threshold in [0, 1).

    Returns:
        ``(H, W) float32`` ink (a new array; ``ink`` is not modified).
    """
    _check_adjustments(gamma, drop_below)
    out = np.clip(_check_ink(ink), 0.0, 1.0)  # always a new array
    if gamma != 1.0:
        np.power(out, np.float32(gamma), out=out)
    if drop_below > 0.0:
        out[np.asarray(ink) < drop_below] = 0.0
    return out


def _to_byte(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values * 255.0), 0, 255).astype(np.uint8)


def render_array(ink: np.ndarray, style: OutputStyle, rgb: np.ndarray | None = None) -> np.ndarray:
    """Render an ink map in a style.

    Args:
        ink: ``(H, W)`` float ink in [0, 1].
        style: the :class:`OutputStyle`.
        rgb: ``(H, W, 3) uint8`` input image, required when ``style.needs_rgb``
            (``"color"``), ignored otherwise.

    Returns:
        ``(H, W) uint8`` for ``"black"`` (255 = paper) and ``"controlnet"``
        (0 = background), ``(H, W, 4) uint8`` RGBA for ``"alpha"`` and ``"color"``.
    """
    if not isinstance(style, OutputStyle):
        raise TypeError(f"expected an OutputStyle, got {type(style).__name__}")
    adjusted = adjust_ink(ink, style.gamma, style.drop_below)
    if style.name == "black":
        return _to_byte(1.0 - adjusted)
    if style.name == "controlnet":
        return _to_byte(adjusted)
    out = np.empty((*adjusted.shape, 4), np.uint8)
    if style.needs_rgb:
        if rgb is None:
            raise ValueError(f"style {style.name}: needs the input image (rgb=...) to take line colors from")
        out[..., :3] = _to_byte(line_colors(np.clip(_check_ink(ink), 0.0, 1.0), _check_rgb_like(rgb, ink)))
    else:
        out[..., :3] = np.asarray(style.color, np.uint8)
    out[..., 3] = _to_byte(adjusted)
    return out


def render(ink: np.ndarray, style: OutputStyle, rgb: np.ndarray | None = None) -> Image.Image:
    """Like :func:`render_array`, as a PIL image (``"L"`` or ``"RGBA"``) of the ink's size."""
    img = Image.fromarray(render_array(ink, style, rgb))  # uint8 (H, W) -> "L", (H, W, 4) -> "RGBA"
    assert img.mode == style.mode
    return img


def flatten_on_white(img: Image.Image) -> Image.Image:
    """An ``"RGBA"`` styled image composited on white paper -> ``"RGB"``; other modes -> ``"RGB"`` as is.

    For outputs that hold no alpha (JPEG, video). ``out = A * rgb + (1 - A) * 255``.
    """
    if img.mode != "RGBA":
        return img.convert("RGB")
    white = Image.new("RGBA", img.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, img).convert("RGB")


def _check_rgb_like(rgb: np.ndarray, ink: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"input image must be (H, W, 3) uint8, got {tuple(rgb.shape)} {rgb.dtype}")
    if rgb.shape[:2] != np.shape(ink):
        raise ValueError(
            f"input image is {rgb.shape[1]}x{rgb.shape[0]}, the line map {np.shape(ink)[1]}x{np.shape(ink)[0]}"
        )
    return rgb


#: Ink below this counts fully as paper / fill when estimating the local background color.
BACKGROUND_INK: float = 0.1
#: Radii (pixels) of the masked box blurs that estimate the background, tried smallest first.
BACKGROUND_RADII: tuple[int, ...] = (4, 16, 64)
#: Side of the window in which a line's peak ink is looked up (its coverage is ink / (PEAK_SHARE * peak)).
PEAK_WINDOW: int = 5
#: Pixels with at least this share of the nearby peak ink are all line: the model's ink varies by
#: ~10 % along a line's core (measured by benchmarks/bench_color_style.py, docs/video.md).
PEAK_SHARE: float = 0.9


def _box_sum(x: np.ndarray, r: int) -> np.ndarray:
    """Sum of ``x`` (``(H, W)`` or ``(H, W, C)``) over ``(2r + 1)^2`` windows, zero outside (two cumsums)."""
    for axis in (0, 1):
        n = x.shape[axis]
        pad = [(0, 0)] * x.ndim
        pad[axis] = (r + 1, r)
        c = np.cumsum(np.pad(x, pad), axis=axis, dtype=np.float64)
        x = np.take(c, np.arange(2 * r + 1, n + 2 * r + 1), axis=axis) - np.take(
            c, np.arange(0, n), axis=axis
        )
    return x.astype(np.float32)


def _masked_mean(values: np.ndarray, weight: np.ndarray, radii: tuple[int, ...]) -> np.ndarray:
    """``blur(values * w) / blur(w)`` at the smallest radius where ``blur(w)`` is not ~0; white if none."""
    out = np.ones_like(values)
    todo = np.ones(weight.shape, bool)
    for r in radii:
        den = _box_sum(weight, r)
        num = _box_sum(values * weight[..., None], r)
        ok = todo & (den > 0.5)
        out[ok] = num[ok] / den[ok, None]
        todo &= ~ok
        if not todo.any():
            break
    return out


def line_colors(ink: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """The color of the line at every pixel, un-blended from the local paper / fill color.

    Each pixel is modelled as the line over its background,
    ``rgb = a * line + (1 - a) * bg``, and solved for ``line``:

    * ``bg``: the mean input color of nearby low-ink pixels (weight
      ``clip(1 - ink / BACKGROUND_INK, 0, 1)``), a masked box blur at the
      smallest of :data:`BACKGROUND_RADII` that finds such pixels; white where none do;
    * ``a``: the pixel's coverage by the line, its ink relative to
      :data:`PEAK_SHARE` of the line's peak ink nearby (the maximum in a
      :data:`PEAK_WINDOW` window), so the core of a red line (ink ~0.7, the
      darkness of red) is all line and its anti-aliased edge partly line;
    * ``line = clip((rgb - (1 - a) * bg) / a)``, then averaged over 3x3 pixels
      with weight ``a ** 4``, so edges take the color of the line's core.

    Args:
        ink: ``(H, W)`` float ink in [0, 1] (before the style's adjustments).
        rgb: ``(H, W, 3) uint8`` input image.

    Returns:
        ``(H, W, 3) float32`` line color in [0, 1] (meaningful where ``ink > 0``).
    """
    color = rgb.astype(np.float32) / 255.0
    bg_weight = np.clip(1.0 - ink / BACKGROUND_INK, 0.0, 1.0)
    bg = _masked_mean(color, bg_weight, BACKGROUND_RADII)
    ink8 = Image.fromarray(_to_byte(ink))
    peak = np.asarray(ink8.filter(ImageFilter.MaxFilter(PEAK_WINDOW)), np.float32) / 255.0
    a = np.clip(ink / np.maximum(PEAK_SHARE * peak, 1.0 / 255.0), 0.0, 1.0)
    a_safe = np.maximum(a, 1.0 / 255.0)[..., None]
    line = np.clip((color - (1.0 - a[..., None]) * bg) / a_safe, 0.0, 1.0)
    weight = a**4 + 1e-6
    return np.clip(_box_sum(line * weight[..., None], 1) / _box_sum(weight, 1)[..., None], 0.0, 1.0)


def as_style(style: OutputStyle | str | None) -> OutputStyle:
    """``None`` -> the default style, a name -> ``OutputStyle(name)``, a style -> itself."""
    if style is None:
        return OutputStyle()
    if isinstance(style, str):
        return OutputStyle(style)
    if isinstance(style, OutputStyle):
        return style
    raise TypeError(f"expected an OutputStyle or a style name, got {type(style).__name__}")


def render_gray(gray: np.ndarray, style: OutputStyle, rgb: np.ndarray | None = None) -> Image.Image:
    """Style an 8-bit line map, as every senga front end does (CLI, Python API, server).

    Args:
        gray: ``(H, W) uint8`` line image, 255 = paper (the ``"black"`` output).
        style: the :class:`OutputStyle`.
        rgb: ``(H, W, 3) uint8`` input image, required when ``style.needs_rgb``.

    Returns:
        ``render(gray_to_ink(gray), style, rgb)``; for the identity style the line
        image itself, without a float copy.
    """
    gray = np.asarray(gray)
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError(f"line image must be (H, W) uint8, got {tuple(gray.shape)} {gray.dtype}")
    if style.is_identity:
        return Image.fromarray(gray)
    return render(gray_to_ink(gray), style, rgb)
