"""The I/O boundary: every input kind decodes to the right pixels; bad files give one-line errors."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from image_kinds import KINDS, LOSSY, bad_files, pattern
from PIL import Image

from senga.io import (
    ImageError,
    gray_to_ink,
    ink_to_gray,
    list_images,
    read_gray,
    read_ink,
    read_rgb,
    write_gray,
    write_ink,
)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_input_kind_reads_as_expected_rgb(kind: str, tmp_path: Path) -> None:
    path, expected = KINDS[kind](tmp_path)
    got = read_rgb(path)
    assert got.dtype == np.uint8 and got.shape == expected.shape
    diff = np.abs(got.astype(int) - expected.astype(int))
    if kind in LOSSY:
        assert diff.mean() < 8  # JPEG
    else:
        assert diff.max() <= 1  # exact up to alpha rounding


def test_exif_rotation_puts_the_top_row_on_the_right(tmp_path: Path) -> None:
    path, _ = KINDS["exif_jpeg"](tmp_path)
    got = read_rgb(path).astype(int)
    assert got.shape == (24, 16, 3)  # stored 16 high x 24 wide, orientation 6
    assert got[:, -1].mean() < 20  # the stored top (black) row is now the right column
    assert got[:, 0].mean() > 100


def test_sixteen_bit_dark_image_is_not_stretched(tmp_path: Path) -> None:
    """An I;16 image with every value <= 255 is nearly black, not an 8-bit image."""
    v = np.array([[0, 128, 255]], np.uint16)
    p = tmp_path / "dark16.png"
    Image.fromarray(v).save(p)
    assert Image.open(p).mode == "I;16"
    assert read_gray(p).tolist() == [[0, 0, 1]]  # 255 * 255 / 65535 = 0.99


@pytest.mark.parametrize(
    ("kind", "problem"),
    [
        ("not_an_image", "not an image file"),
        ("zero_bytes", "empty file (0 bytes)"),
        ("truncated", "truncated or corrupt"),
    ],
)
def test_bad_files_give_one_line_errors_naming_the_file(kind: str, problem: str, tmp_path: Path) -> None:
    path = bad_files(tmp_path)[kind]
    with pytest.raises(ImageError) as info:
        read_rgb(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: ") and problem in msg and "\n" not in msg


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="no such file"):
        read_rgb(tmp_path / "nope.png")
    with pytest.raises(ImageError, match="is a folder"):
        read_rgb(tmp_path)


def test_max_pixels_refuses_large_images_and_can_be_raised(tmp_path: Path) -> None:
    p = tmp_path / "big.png"
    Image.fromarray(pattern(30, 40)).save(p)
    with pytest.raises(ImageError, match=r"40x30 = 1,200 pixels, above the limit of 1,000.*--max-pixels"):
        read_rgb(p, max_pixels=1000)
    assert read_rgb(p, max_pixels=1200).shape == (30, 40, 3)
    assert read_rgb(p, max_pixels=None).shape == (30, 40, 3)


def test_concurrent_reads_neither_apply_nor_leak_pillows_global_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pillow's MAX_IMAGE_PIXELS is process-global; readers on several threads
    must all see it disabled and leave it as it was (a per-call save/restore
    races: one thread restores the limit while another is still opening)."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10)  # 64x64 would be a "bomb" for Pillow
    paths = []
    for i in range(8):
        p = tmp_path / f"{i}.png"
        Image.fromarray(pattern(64, 64)).save(p)
        paths.append(p)
    barrier = threading.Barrier(4)

    def read_many(k: int) -> int:
        barrier.wait()
        return sum(read_rgb(paths[(k + j) % 8]).shape[0] for j in range(40))

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(read_many, range(4))) == [64 * 40] * 4
    assert Image.MAX_IMAGE_PIXELS == 10


def test_read_ink_and_gray_round_trip(tmp_path: Path) -> None:
    ink = np.array([[0.0, 0.5, 1.0]], np.float32)
    write_ink(tmp_path / "l.png", ink)
    assert read_gray(tmp_path / "l.png").tolist() == [[255, 128, 0]]  # rint(127.5) = 128
    assert np.allclose(read_ink(tmp_path / "l.png"), [[0.0, 127 / 255, 1.0]])
    assert gray_to_ink(ink_to_gray(ink)).dtype == np.float32


def test_write_gray_writes_8bit_grayscale_and_checks_input(tmp_path: Path) -> None:
    g = np.array([[0, 100], [200, 255]], np.uint8)
    write_gray(tmp_path / "g.png", g)
    with Image.open(tmp_path / "g.png") as im:
        assert im.mode == "L" and np.array_equal(np.asarray(im), g)
    with pytest.raises(ValueError, match=r"\(H, W\) uint8"):
        write_gray(tmp_path / "x.png", g.astype(np.float32))
    with pytest.raises(ImageError, match="unknown output image extension"):
        write_gray(tmp_path / "x.nope", g)


def test_list_images_is_recursive_sorted_and_skips_hidden(tmp_path: Path) -> None:
    for rel in ["b.png", "a.JPG", "sub/c.webp", ".hidden/d.png", "sub/.e.png", "notes.txt"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    names = [p.relative_to(tmp_path).as_posix() for p in list_images(tmp_path)]
    assert names == ["a.JPG", "b.png", "sub/c.webp"]
