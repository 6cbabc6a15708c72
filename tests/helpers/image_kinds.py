"""Image files of every kind people have, made on the spot (no downloads).

Each maker writes one file and returns ``(path, expected_rgb)``: the
``(H, W, 3) uint8`` array :func:`senga.io.read_rgb` must return (up to codec
loss for lossy formats; see ``LOSSY``). Used by tests/io and tests/extract.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

#: Kinds written with lossy codecs: compare with a tolerance.
LOSSY = frozenset({"cmyk_jpeg", "exif_jpeg"})


def pattern(h: int = 12, w: int = 20) -> np.ndarray:
    """An ``(h, w, 3) uint8`` picture with a black line in the top row and colored blocks."""
    rgb = np.full((h, w, 3), 255, np.uint8)
    rgb[h // 2 :, : w // 2] = (200, 40, 40)
    rgb[h // 2 :, w // 2 :] = (40, 160, 220)
    rgb[0, :] = 0  # marks "up" for orientation checks
    return rgb


def rgba(path: Path) -> tuple[Path, np.ndarray]:
    a = np.zeros((10, 14, 4), np.uint8)
    a[..., :3] = (0, 0, 255)
    a[:, :7, 3] = 255  # opaque blue on the left
    a[:, 7:, 3] = 0  # transparent on the right -> white paper
    a[0, 7:, :] = (255, 0, 0, 128)  # half transparent red -> pink
    p = path / "rgba.png"
    Image.fromarray(a, mode="RGBA").save(p)
    exp = np.full((10, 14, 3), 255, np.uint8)
    exp[:, :7] = (0, 0, 255)
    exp[0, 7:] = (255, 127, 127)  # 255*0.502 + 255*0.498 ; 255*0.498
    return p, exp


def palette_transparent(path: Path) -> tuple[Path, np.ndarray]:
    idx = np.zeros((6, 9), np.uint8)
    idx[:, 3:] = 1
    idx[:, 6:] = 2
    im = Image.fromarray(idx, mode="P")
    im.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0] + [0] * (256 * 3 - 9))
    p = path / "palette.png"
    im.save(p, transparency=2)  # index 2 (green) is transparent -> white
    exp = np.zeros((6, 9, 3), np.uint8)
    exp[:, 3:6] = (255, 0, 0)
    exp[:, 6:] = 255
    return p, exp


def gray(path: Path) -> tuple[Path, np.ndarray]:
    g = np.tile(np.arange(0, 250, 25, dtype=np.uint8), (4, 1))  # 4 x 10
    p = path / "gray.png"
    Image.fromarray(g, mode="L").save(p)
    return p, np.repeat(g[..., None], 3, axis=2)


def gray16(path: Path) -> tuple[Path, np.ndarray]:
    v = np.array([[0, 257 * 100, 65535], [257 * 200, 771, 128]], np.uint16)  # 2 x 3
    p = path / "gray16.png"
    Image.fromarray(v).save(p)  # uint16 -> mode "I;16"
    g = np.array([[0, 100, 255], [200, 3, 0]], np.uint8)  # value * 255 / 65535, rounded
    return p, np.repeat(g[..., None], 3, axis=2)


def cmyk_jpeg(path: Path) -> tuple[Path, np.ndarray]:
    rgb = pattern(16, 24)
    p = path / "cmyk.jpg"
    Image.fromarray(rgb).convert("CMYK").save(p, quality=95)
    return p, rgb


def exif_jpeg(path: Path) -> tuple[Path, np.ndarray]:
    """Stored 24 wide x 16 high with orientation 6: shown rotated 90 degrees clockwise (16 x 24)."""
    rgb = pattern(16, 24)
    im = Image.fromarray(rgb)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW to display
    p = path / "exif.jpg"
    im.save(p, exif=exif, quality=95)
    return p, np.ascontiguousarray(np.rot90(rgb, k=-1))  # clockwise


def webp(path: Path) -> tuple[Path, np.ndarray]:
    rgb = pattern(8, 10)
    p = path / "picture.webp"
    Image.fromarray(rgb).save(p, lossless=True)
    return p, rgb


def tiff(path: Path) -> tuple[Path, np.ndarray]:
    rgb = pattern(9, 7)
    p = path / "scan.tif"
    Image.fromarray(rgb).save(p)
    return p, rgb


def one_by_one(path: Path) -> tuple[Path, np.ndarray]:
    rgb = np.array([[[10, 20, 30]]], np.uint8)
    p = path / "1x1.png"
    Image.fromarray(rgb).save(p)
    return p, rgb


def two_by_three(path: Path) -> tuple[Path, np.ndarray]:
    rgb = np.arange(18, dtype=np.uint8).reshape(2, 3, 3) * 10
    p = path / "2x3.png"
    Image.fromarray(rgb).save(p)
    return p, rgb


KINDS: dict[str, Callable[[Path], tuple[Path, np.ndarray]]] = {
    "rgba": rgba,
    "palette_transparent": palette_transparent,
    "gray": gray,
    "gray16": gray16,
    "cmyk_jpeg": cmyk_jpeg,
    "exif_jpeg": exif_jpeg,
    "webp": webp,
    "tiff": tiff,
    "1x1": one_by_one,
    "2x3": two_by_three,
}


def bad_files(path: Path) -> dict[str, Path]:
    """Files that are not usable images: name -> path."""
    path.mkdir(parents=True, exist_ok=True)
    text = path / "notes.png"
    text.write_text("this is not an image\n")
    zero = path / "empty.png"
    zero.write_bytes(b"")
    full = path / "full.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (30, 30, 3), dtype=np.uint8)).save(full)
    truncated = path / "truncated.png"
    truncated.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    full.unlink()
    return {"not_an_image": text, "zero_bytes": zero, "truncated": truncated}
