"""What the server does with one upload: decode, extract, style, encode (no HTTP here).

Uploads are decoded by :mod:`senga.io` (its pixel limit and one-line
errors) from a temporary file the server named; the client's file name is
only ever shown in messages and offered as a download name, never used as a
path. Styles come from :mod:`senga.extract.style`, the same functions
``senga extract --style`` uses, applied to the 8-bit line map, so the page,
the API and the CLI give identical files.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from senga.extract.extractor import Extractor
from senga.extract.style import OutputStyle, parse_color, render_gray
from senga.extract.tiling import ProgressFn
from senga.io import ImageError, ImageTooLargeError, read_gray, read_rgb

_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()+-]")


class RequestError(Exception):
    """A problem with one request: an HTTP ``status`` and a one-line ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Rendered:
    """An encoded result: PNG bytes and the image size."""

    png: bytes
    width: int
    height: int
    mode: str


def display_name(filename: str | None) -> str:
    """The client's file name, made safe to show: last path part, printable, <= 120 characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name[:120] or "upload"


def download_name(name: str) -> str:
    """``"My art.jpg"`` -> ``"My art_lines.png"``, ASCII letters, digits and ``._ ()+-`` only."""
    stem = os.path.splitext(name)[0]
    stem = _UNSAFE.sub("_", unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()).strip(" .")
    return f"{stem[:100] or 'image'}_lines.png"


def parse_style(
    style: str | None = None, color: str | None = None, gamma: float | str | None = None,
    drop_below: float | str | None = None,
) -> OutputStyle:  # fmt: skip
    """Build an :class:`OutputStyle` from request fields (missing ones take the defaults).

    Raises:
        RequestError: 400 with the field and the problem.
    """
    try:
        return OutputStyle(
            name=style or "black",
            color=parse_color(color) if color else (0, 0, 0),
            gamma=_number("gamma", gamma, 1.0),
            drop_below=_number("drop_below", drop_below, 0.0),
        )
    except ValueError as err:
        raise RequestError(400, str(err)) from None


def _number(field: str, value: float | str | None, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"style {field}: expected a number, got {value!r}") from None


def _image_error(name: str, err: ImageError) -> RequestError:
    status = 413 if isinstance(err, ImageTooLargeError) else 400
    return RequestError(status, f"{name}: {err.problem}")


def encode_png(img: Image.Image) -> Rendered:
    """A PIL image -> :class:`Rendered` (PNG bytes)."""
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return Rendered(buf.getvalue(), img.width, img.height, img.mode)


def extract_file(
    extractor: Extractor, path: Path, name: str, style: OutputStyle, max_pixels: int,
    progress: ProgressFn | None = None,
) -> Rendered:  # fmt: skip
    """Decode the upload at ``path``, extract its line art, style and encode it.

    Raises:
        RequestError: 400 (not an image, truncated, empty) or 413 (above ``max_pixels``).
    """
    try:
        rgb = read_rgb(path, max_pixels=max_pixels)
    except ImageError as err:
        raise _image_error(name, err) from None
    gray = extractor.predict_gray(rgb, progress)
    del rgb
    return encode_png(render_gray(gray, style))


def restyle_file(path: Path, name: str, style: OutputStyle, max_pixels: int) -> Rendered:
    """Style a line image (black lines on white, as ``/api/extract`` returns it) without the model.

    Raises:
        RequestError: 400 or 413 as :func:`extract_file`.
    """
    try:
        gray = read_gray(path, max_pixels=max_pixels)
    except ImageError as err:
        raise _image_error(name, err) from None
    return encode_png(render_gray(gray, style))
