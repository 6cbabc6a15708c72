"""Reading and writing images at the library's edge.

Conventions
-----------
* Color images come back as ``(H, W, 3) uint8`` RGB, with alpha composited on
  white paper and the EXIF orientation applied. Palette, grayscale, 16-bit,
  CMYK and other modes are converted.
* Line images come back as ``(H, W) float32`` *ink* maps: ``ink = 1 - L / 255``
  where ``L`` is the 8-bit luminance (ITU-R 601-2, Pillow's ``"L"``) after
  compositing on white. So ``ink > 0`` means "pixel not pure white", as the
  paper's evaluation of saved 8-bit images requires.
* Every failure is an :class:`ImageError` whose message is one line naming the
  file and the problem.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from senga.errors import SengaError, first_line
from senga.io.atomic import atomic_write_path

#: Extensions senga treats as images when listing folders.
IMAGE_EXTENSIONS: tuple[str, ...] = (
    ".png",
    ".jpg",
    ".jpeg",
    ".webp",
    ".bmp",
    ".tif",
    ".tiff",
    ".gif",
)

#: Largest image (width * height) read by default: 300 megapixels, e.g. a
#: 17000 x 17000 scan. Larger files are refused as possible decompression
#: bombs unless the caller raises the limit (``--max-pixels`` in the CLI).
DEFAULT_MAX_PIXELS: int = 300_000_000


class ImageError(SengaError):
    """A file could not be used as an image. ``str(err)`` is ``"PATH: problem"``."""


class ImageTooLargeError(ImageError):
    """The image has more pixels than the caller's ``max_pixels`` (a server answers 413)."""


def special_kind(path: str | os.PathLike[str]) -> str | None:
    """What ``path`` is when it exists but is neither a regular file nor a folder, else ``None``.

    ``"a FIFO"``, ``"a character device"``, ``"a block device"``, ``"a socket"``
    (symlinks followed: a link to ``/dev/zero`` is a character device). Only
    ``os.stat``: nothing is opened, so a FIFO never blocks.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def not_regular_problem(kind: str) -> str:
    """The one-line problem for a special file (``kind`` from :func:`special_kind`)."""
    return f"not a regular file ({kind})"


@dataclass
class FolderListing:
    """A folder's files as a batch sees them (sorted; hidden files and folders left out).

    Attributes:
        images: regular files with an image extension (:data:`IMAGE_EXTENSIONS`).
        special: FIFOs, devices and sockets named like images, with :func:`special_kind`'s words.
        not_images: regular files with another extension.
    """

    images: list[Path] = field(default_factory=list)
    special: list[tuple[Path, str]] = field(default_factory=list)
    not_images: list[Path] = field(default_factory=list)


def scan_folder(folder: str | os.PathLike[str], recursive: bool = True) -> FolderListing:
    """Sort the files under ``folder`` into images, special files named like images, and other files.

    Only ``stat`` is used (no file is opened).
    """
    folder = Path(folder)
    listing = FolderListing()
    for p in sorted(folder.glob("**/*" if recursive else "*")):
        if any(part.startswith(".") for part in p.relative_to(folder).parts) or p.is_dir():
            continue
        is_image = p.suffix.lower() in IMAGE_EXTENSIONS
        if p.is_file():
            (listing.images if is_image else listing.not_images).append(p)
        elif is_image:
            kind = special_kind(p)
            if kind is not None:  # (a dangling symlink is neither)
                listing.special.append((p, kind))
    return listing


def list_images(folder: str | os.PathLike[str], recursive: bool = True) -> list[Path]:
    """All regular files under ``folder`` with an image extension, sorted, hidden files skipped."""
    return scan_folder(folder, recursive).images


_limit_lock = threading.Lock()
_limit_users = 0
_saved_limit: int | None = None


@contextlib.contextmanager
def _pillow_limit_disabled() -> Iterator[None]:
    """Switch Pillow's global decompression-bomb limit off while any thread is reading.

    senga applies its own ``max_pixels`` instead. The global is shared by all
    threads, so it is reference-counted: the first reader saves and clears it,
    the last one restores it (a plain save/restore per call would let
    concurrent readers restore each other's state and apply the wrong limit).
    With the limit off Pillow emits no DecompressionBombWarning either.
    """
    global _limit_users, _saved_limit
    with _limit_lock:
        if _limit_users == 0:
            _saved_limit = Image.MAX_IMAGE_PIXELS
            Image.MAX_IMAGE_PIXELS = None
        _limit_users += 1
    try:
        yield
    finally:
        with _limit_lock:
            _limit_users -= 1
            if _limit_users == 0:
                Image.MAX_IMAGE_PIXELS = _saved_limit


def open_image(path: str | os.PathLike[str], max_pixels: int | None = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Open, fully decode and EXIF-rotate an image file.

    Args:
        path: the file.
        max_pixels: refuse images with more than this many pixels (``None``: no limit).

    Raises:
        ImageError: missing, a folder or not a regular file (a FIFO, a device:
            never opened), empty, not an image, truncated, or too large.
    """
    path = Path(path)
    try:
        st = os.stat(path)  # follows symlinks: a link to /dev/zero is a device
    except FileNotFoundError:
        raise ImageError(path, "no such file") from None
    except OSError as err:
        raise ImageError(path, f"cannot read ({err.strerror or err})") from None
    if stat.S_ISDIR(st.st_mode):
        raise ImageError(path, "is a folder, not an image file")
    if not stat.S_ISREG(st.st_mode):
        raise ImageError(path, not_regular_problem(special_kind(path) or "a special file"))
    size = st.st_size
    if size == 0:
        raise ImageError(path, "empty file (0 bytes)")
    try:
        # Our own limit replaces Pillow's global one (which only warns below 2x).
        with _pillow_limit_disabled():
            img: Image.Image = Image.open(path)
            w, h = img.size
            if max_pixels is not None and w * h > max_pixels:
                img.close()
                raise ImageTooLargeError(
                    path,
                    f"image is {w}x{h} = {w * h:,} pixels, above the limit of {max_pixels:,} "
                    "(possible decompression bomb; raise the limit with --max-pixels)",
                )
            img.load()
            turned = ImageOps.exif_transpose(img) or img
            if turned is not img:  # a copy: release the file handle now, not at GC
                img.close()
                img = turned
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError(path, "not an image file (unknown or unsupported format)") from None
    except (OSError, SyntaxError, ValueError) as err:
        msg = first_line(err)
        if "truncated" in msg.lower():
            msg = "truncated or corrupt image data"
        raise ImageError(path, f"cannot decode image ({msg})") from None
    except Image.DecompressionBombError as err:  # pragma: no cover - limit disabled above
        raise ImageError(path, str(err)) from None
    if img.width == 0 or img.height == 0:
        raise ImageError(path, "image has zero width or height")
    return img


def _sixteen_bit_to_8(arr: np.ndarray, mode: str) -> np.ndarray:
    """Map 16-bit (or 32-bit integer) gray values to 8-bit, rounding.

    ``I;16*`` modes are 16-bit by definition (0..65535), however dark the
    image. Mode ``"I"`` does not say its range: values above 255 mean 16-bit,
    otherwise the data is taken as 8-bit.
    """
    arr = arr.astype(np.float64)
    sixteen = mode.startswith("I;16") or arr.max(initial=0) > 255
    top = 65535.0 if sixteen else 255.0
    return np.clip(np.rint(arr * (255.0 / top)), 0, 255).astype(np.uint8)


def _composite_on_white(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``(H,W,3) uint8`` over white with ``(H,W) uint8`` alpha -> ``(H,W,3) uint8``."""
    a = alpha.astype(np.float32)[..., None] / 255.0
    out = rgb.astype(np.float32) * a + 255.0 * (1.0 - a)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def to_rgb_array(img: Image.Image) -> np.ndarray:
    """Any Pillow image -> ``(H, W, 3) uint8`` RGB, alpha composited on white."""
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        if mode == "F":
            arr = np.asarray(img, dtype=np.float64)
            gray = np.clip(np.rint(arr * (255.0 if arr.max(initial=0) <= 1.0 else 1.0)), 0, 255).astype(
                np.uint8
            )
        else:
            gray = _sixteen_bit_to_8(np.asarray(img), mode)
        return np.repeat(gray[..., None], 3, axis=2)
    if mode == "P":
        img = img.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = np.asarray(img.convert("RGBA"))
        return _composite_on_white(rgba[..., :3], rgba[..., 3])
    if mode != "RGB":
        img = img.convert("RGB")  # L, 1, CMYK, YCbCr, LAB, HSV
    return np.ascontiguousarray(np.asarray(img, dtype=np.uint8))


def read_rgb(path: str | os.PathLike[str], max_pixels: int | None = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Read an image file as ``(H, W, 3) uint8`` RGB (alpha on white, EXIF applied).

    Raises:
        ImageError: naming the file and the problem.
    """
    img = open_image(path, max_pixels=max_pixels)
    try:
        return to_rgb_array(img)
    except (OSError, ValueError) as err:
        raise ImageError(path, f"cannot convert image mode {img.mode!r} ({err})") from None


def read_gray(path: str | os.PathLike[str], max_pixels: int | None = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Read an image file as ``(H, W) uint8`` luminance (alpha composited on white)."""
    img = open_image(path, max_pixels=max_pixels)
    if img.mode == "L":
        return np.asarray(img, dtype=np.uint8).copy()
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        return _sixteen_bit_to_8(np.asarray(img), img.mode)
    rgb = to_rgb_array(img)
    return np.asarray(Image.fromarray(rgb).convert("L"), dtype=np.uint8).copy()


def gray_to_ink(gray: np.ndarray) -> np.ndarray:
    """``(…) uint8`` luminance -> ``(…) float32`` ink in [0, 1]: ``1 - L/255``."""
    return 1.0 - gray.astype(np.float32) / 255.0


def ink_to_gray(ink: np.ndarray) -> np.ndarray:
    """``(…) float`` ink in [0, 1] -> ``(…) uint8`` luminance, black lines on white."""
    ink = np.asarray(ink, dtype=np.float32)
    return np.clip(np.rint((1.0 - ink) * 255.0), 0, 255).astype(np.uint8)


def read_ink(path: str | os.PathLike[str], max_pixels: int | None = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Read a line image as a ``(H, W) float32`` ink map (1 = black line, 0 = paper)."""
    return gray_to_ink(read_gray(path, max_pixels=max_pixels))


def ink_to_image(ink: np.ndarray) -> Image.Image:
    """``(H, W)`` ink map -> Pillow ``"L"`` image (black lines on white)."""
    ink = np.asarray(ink)
    if ink.ndim != 2:
        raise ValueError(f"ink map must be (H, W), got shape {tuple(ink.shape)}")
    return Image.fromarray(ink_to_gray(ink), mode="L")


def _save_atomic(img: Image.Image, path: str | os.PathLike[str]) -> None:
    path = Path(path)
    fmt = Image.registered_extensions().get(path.suffix.lower())
    if fmt is None:
        raise ImageError(path, f"unknown output image extension {path.suffix!r}")
    with atomic_write_path(path) as tmp:
        img.save(tmp, format=fmt)


def write_image(path: str | os.PathLike[str], img: Image.Image) -> None:
    """Write a Pillow image (e.g. an ``"RGBA"`` styled output) atomically; the extension picks the format."""
    _save_atomic(img, path)


def write_ink(path: str | os.PathLike[str], ink: np.ndarray) -> None:
    """Write an ``(H, W)`` ink map as an 8-bit grayscale image, atomically."""
    _save_atomic(ink_to_image(ink), path)


def write_gray(path: str | os.PathLike[str], gray: np.ndarray) -> None:
    """Write an ``(H, W) uint8`` line image (255 = paper) as 8-bit grayscale, atomically.

    Same file as ``write_ink(path, gray_to_ink(gray))`` without a float copy
    of the image (large outputs stay small in memory).
    """
    gray = np.asarray(gray)
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError(f"expected (H, W) uint8, got {tuple(gray.shape)} {gray.dtype}")
    _save_atomic(Image.fromarray(gray, mode="L"), path)


def write_rgb(path: str | os.PathLike[str], rgb: np.ndarray) -> None:
    """Write an ``(H, W, 3) uint8`` array as an RGB image, atomically."""
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected (H, W, 3) uint8, got {tuple(rgb.shape)} {rgb.dtype}")
    _save_atomic(Image.fromarray(rgb, mode="RGB"), path)
