"""What the server does with one upload: decode, extract, style, encode (no HTTP here).

Uploads are decoded by :mod:`senga.io` (its pixel limit and one-line
errors) from a temporary file the server named; the client's file name is
only ever shown in messages and offered as a download name, never used as a
path. Styles come from :mod:`senga.extract.style`, the same functions
``senga extract --style`` uses, applied to the 8-bit line map, so the page,
the API and the CLI give identical files.
"""

from __future__ import annotations

import inspect
import io
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from senga.extract.extractor import Extractor
from senga.extract.style import OutputStyle, parse_color, render_gray
from senga.extract.tiling import ProgressFn
from senga.io import ImageError, ImageTooLargeError, read_gray, read_rgb
from senga.io.images import ink_to_gray

_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()+-]")

#: File name endings of video containers (the server takes still images only).
VIDEO_EXTENSIONS: tuple[str, ...] = (
    ".mp4",
    ".m4v",
    ".mov",
    ".webm",
    ".mkv",
    ".avi",
    ".mpg",
    ".mpeg",
    ".wmv",
    ".flv",
    ".ts",
    ".3gp",
    ".ogv",
)
#: ISO-BMFF brands of still images (AVIF, HEIF): an ``ftyp`` box alone does not make a video.
_STILL_BRANDS = frozenset({b"avif", b"avis", b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis"})
VIDEO_MESSAGE = "senga serve takes images; for videos use `senga extract clip.mp4`"


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
    stem = _UNSAFE.sub("_", unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()).strip(
        " ."
    )
    return f"{stem[:100] or 'image'}_lines.png"


def parse_style(
    style: str | None = None,
    color: str | None = None,
    gamma: float | str | None = None,
    drop_below: float | str | None = None,
) -> OutputStyle:
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


def looks_like_video(name: str, head: bytes) -> bool:
    """True when an upload is a video: by its name's ending or its first bytes
    (MP4 / MOV ``ftyp`` box, Matroska / WebM, AVI, MPEG program stream, FLV, Ogg)."""
    if os.path.splitext(name)[1].lower() in VIDEO_EXTENSIONS:
        return True
    if head[4:8] == b"ftyp":
        return head[8:12] not in _STILL_BRANDS
    return head.startswith((b"\x1a\x45\xdf\xa3", b"\x00\x00\x01\xba", b"FLV\x01", b"OggS")) or (
        head[:4] == b"RIFF" and head[8:12] == b"AVI "
    )


def check_not_video(path: Path, name: str) -> None:
    """Raise :class:`RequestError` 415 when the upload at ``path`` is a video."""
    with open(path, "rb") as f:
        head = f.read(16)
    if looks_like_video(name, head):
        raise RequestError(415, f"{name}: {VIDEO_MESSAGE}")


def _accepts(fn: Callable[..., Any] | None, name: str) -> bool:
    if fn is None:
        return False
    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def supports_max_side(extractor: Extractor) -> bool:
    """True when ``extractor`` can run at a reduced size (``max_side`` on ``predict_gray`` or ``predict_ink``)."""
    return _accepts(getattr(extractor, "predict_gray", None), "max_side") or _accepts(
        getattr(extractor, "predict_ink", None), "max_side"
    )


def predict_gray(
    extractor: Extractor, rgb: np.ndarray, progress: ProgressFn | None = None, max_side: int | None = None
) -> np.ndarray:
    """``(H, W, 3) uint8`` -> ``(H, W) uint8`` line image, at most ``max_side`` pixels on the long side
    while the model runs (``None``: full size)."""
    if max_side is None:
        return extractor.predict_gray(rgb, progress)
    if _accepts(getattr(extractor, "predict_gray", None), "max_side"):
        gray: np.ndarray = extractor.predict_gray(rgb, progress, max_side=max_side)  # type: ignore[call-arg]  # checked above
        return gray
    if _accepts(getattr(extractor, "predict_ink", None), "max_side"):
        return ink_to_gray(extractor.predict_ink(rgb, progress, max_side=max_side))  # type: ignore[attr-defined]  # checked above
    raise RequestError(400, "max_side: this server's model cannot run at a reduced size")


def styled(gray: np.ndarray, style: OutputStyle, rgb: np.ndarray | None) -> Image.Image:
    """:func:`senga.extract.style.render_gray`, given the input RGB when the style needs it
    (``OutputStyle.needs_rgb``, e.g. ``"color"``)."""
    return render_gray(gray, style, rgb=rgb if style.needs_rgb else None)


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


def _read_rgb(path: Path, name: str, max_pixels: int) -> np.ndarray:
    try:
        return read_rgb(path, max_pixels=max_pixels)
    except ImageError as err:
        raise _image_error(name, err) from None


def extract_file(
    extractor: Extractor,
    path: Path,
    name: str,
    style: OutputStyle,
    max_pixels: int,
    progress: ProgressFn | None = None,
    max_side: int | None = None,
) -> Rendered:
    """Decode the upload at ``path``, extract its line art, style and encode it.

    Raises:
        RequestError: 400 (not an image, truncated, empty) or 413 (above ``max_pixels``).
    """
    rgb = _read_rgb(path, name, max_pixels)
    gray = predict_gray(extractor, rgb, progress, max_side)
    return encode_png(styled(gray, style, rgb))


def restyle_file(
    path: Path,
    name: str,
    style: OutputStyle,
    max_pixels: int,
    source: Path | None = None,
    source_name: str = "source",
) -> Rendered:
    """Style a line image (black lines on white, as ``/api/extract`` returns it) without the model.

    ``source``: the input illustration, for styles that take colors from it.

    Raises:
        RequestError: 400 or 413 as :func:`extract_file`; 400 when the style needs
            the source and it is missing or of another size.
    """
    try:
        gray = read_gray(path, max_pixels=max_pixels)
    except ImageError as err:
        raise _image_error(name, err) from None
    rgb = None
    if style.needs_rgb:
        if source is None:
            raise RequestError(400, f"style {style.name}: send the input image too, as the source field")
        rgb = _read_rgb(source, source_name, max_pixels)
        if rgb.shape[:2] != gray.shape:
            raise RequestError(
                400,
                f"{source_name}: the source is {rgb.shape[1]}x{rgb.shape[0]}, "
                f"the line image {gray.shape[1]}x{gray.shape[0]}",
            )
    return encode_png(styled(gray, style, rgb))
