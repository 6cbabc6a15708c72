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
from PIL import Image

from senga.io.images import gray_to_ink

#: The output style names, default first.
STYLES: tuple[str, ...] = ("black", "alpha", "controlnet")

#: Accepted gamma range (inclusive): beyond it a line map is all-or-nothing.
GAMMA_RANGE: tuple[float, float] = (0.1, 10.0)

_HEX_COLOR = re.compile(r"#?([0-9a-fA-F]{6})")


@dataclass(frozen=True)
class OutputStyle:
    """An output style and its adjustments (validated on construction).

    Attributes:
        name: one of :data:`STYLES`.
        color: line color ``(r, g, b)`` in 0..255 (used by ``"alpha"``).
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
        _check_adjustments(self.gamma, self.drop_below)
        object.__setattr__(self, "gamma", float(self.gamma))
        object.__setattr__(self, "drop_below", float(self.drop_below))

    @property
    def is_identity(self) -> bool:
        """True for the plain ``"black"`` style with no adjustment (the raw line map)."""
        return self.name == "black" and self.gamma == 1.0 and self.drop_below == 0.0

    @property
    def mode(self) -> str:
        """The PIL mode :func:`render` gives: ``"RGBA"`` for alpha, else ``"L"``."""
        return "RGBA" if self.name == "alpha" else "L"


def _check_adjustments(gamma: float, drop_below: float) -> None:
    lo, hi = GAMMA_RANGE
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float, np.floating, np.integer)):
        raise ValueError(f"style gamma: expected a number, got {gamma!r}")  # noqa: TRY004 - users get ValueError
    if not math.isfinite(gamma) or not lo <= gamma <= hi:
        raise ValueError(f"style gamma: must be in [{lo:g}, {hi:g}], got {gamma!r}")
    if isinstance(drop_below, bool) or not isinstance(drop_below, (int, float, np.floating, np.integer)):
        raise ValueError(f"style drop_below: expected a number, got {drop_below!r}")  # noqa: TRY004 - users get ValueError
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


def render_array(ink: np.ndarray, style: OutputStyle) -> np.ndarray:
    """Render an ink map in a style.

    Args:
        ink: ``(H, W)`` float ink in [0, 1].
        style: the :class:`OutputStyle`.

    Returns:
        ``(H, W) uint8`` for ``"black"`` (255 = paper) and ``"controlnet"``
        (0 = background), ``(H, W, 4) uint8`` RGBA for ``"alpha"``.
    """
    if not isinstance(style, OutputStyle):
        raise TypeError(f"expected an OutputStyle, got {type(style).__name__}")
    adjusted = adjust_ink(ink, style.gamma, style.drop_below)
    if style.name == "black":
        return _to_byte(1.0 - adjusted)
    if style.name == "controlnet":
        return _to_byte(adjusted)
    out = np.empty((*adjusted.shape, 4), np.uint8)
    out[..., :3] = np.asarray(style.color, np.uint8)
    out[..., 3] = _to_byte(adjusted)
    return out


def render(ink: np.ndarray, style: OutputStyle) -> Image.Image:
    """Like :func:`render_array`, as a PIL image (``"L"`` or ``"RGBA"``) of the ink's size."""
    img = Image.fromarray(render_array(ink, style))  # uint8 (H, W) -> "L", (H, W, 4) -> "RGBA"
    assert img.mode == style.mode
    return img


def as_style(style: OutputStyle | str | None) -> OutputStyle:
    """``None`` -> the default style, a name -> ``OutputStyle(name)``, a style -> itself."""
    if style is None:
        return OutputStyle()
    if isinstance(style, str):
        return OutputStyle(style)
    if isinstance(style, OutputStyle):
        return style
    raise TypeError(f"expected an OutputStyle or a style name, got {type(style).__name__}")


def render_gray(gray: np.ndarray, style: OutputStyle) -> Image.Image:
    """Style an 8-bit line map, as every senga front end does (CLI, Python API, server).

    Args:
        gray: ``(H, W) uint8`` line image, 255 = paper (the ``"black"`` output).
        style: the :class:`OutputStyle`.

    Returns:
        ``render(gray_to_ink(gray), style)``; for the identity style the line
        image itself, without a float copy.
    """
    gray = np.asarray(gray)
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError(f"line image must be (H, W) uint8, got {tuple(gray.shape)} {gray.dtype}")
    if style.is_identity:
        return Image.fromarray(gray)
    return render(gray_to_ink(gray), style)
