"""Paired folders: the validator reports every bad input at once; reading applies alpha and EXIF."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from senga.data.paired import DatasetError, PairedFolder, validate_pairs


def _write_pair(root: Path, name: str, w: int = 8, h: int = 6, ext: str = ".png", value: int = 0) -> None:
    (root / "color").mkdir(parents=True, exist_ok=True)
    (root / "line").mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (w, h), (value, 10, 20)).save(root / "color" / f"{name}{ext}")
    Image.new("L", (w, h), 255 - value).save(root / "line" / f"{name}.png")


def test_valid_folder_reads_pairs_sorted_with_exact_values(tmp_path: Path) -> None:
    _write_pair(tmp_path, "b", value=51)
    _write_pair(tmp_path, "a", value=0, ext=".jpg")
    pairs = validate_pairs(tmp_path)
    assert [p.name for p in pairs] == ["a", "b"]
    assert (pairs[1].width, pairs[1].height) == (8, 6)
    ds = PairedFolder(tmp_path)
    assert len(ds) == 2 and ds.names == ["a", "b"]
    rgb, ink, name = ds[1]
    assert name == "b"
    assert rgb.shape == (6, 8, 3) and rgb.dtype == np.uint8
    assert tuple(rgb[0, 0]) == (51, 10, 20)
    assert ink.shape == (6, 8) and ink.dtype == np.float32
    np.testing.assert_allclose(ink, 51 / 255, atol=1e-6)  # line L = 204 -> ink = 1 - 204/255


def test_every_kind_of_problem_is_reported_in_one_error(tmp_path: Path) -> None:
    _write_pair(tmp_path, "good")
    _write_pair(tmp_path, "mismatch")
    Image.new("L", (5, 5), 0).save(tmp_path / "line" / "mismatch.png")  # color is 8x6
    Image.new("RGB", (8, 6)).save(tmp_path / "color" / "lonely_color.png")
    Image.new("L", (8, 6)).save(tmp_path / "line" / "lonely_line.png")
    _write_pair(tmp_path, "garbage")
    (tmp_path / "color" / "garbage.png").write_bytes(b"this is not a png at all")
    _write_pair(tmp_path, "dup")
    Image.new("RGB", (8, 6)).save(tmp_path / "color" / "dup.jpg")
    (tmp_path / "line" / "notes.txt").write_text("hello")
    (tmp_path / "color" / ".DS_Store").write_bytes(b"\0")  # hidden files are ignored

    with pytest.raises(DatasetError) as info:
        validate_pairs(tmp_path)
    err = info.value
    text = str(err)
    assert text.splitlines()[0] == f"{tmp_path}: 6 problems in paired folder"
    assert len(err.problems) == 6
    assert any(p.startswith("color/lonely_color.png: no line partner") for p in err.problems)
    assert any(p.startswith("line/lonely_line.png: no color partner") for p in err.problems)
    assert any(p.startswith("color/garbage.png: not an image file") for p in err.problems)
    assert any(p.startswith("mismatch: size mismatch") and "8x6" in p and "5x5" in p for p in err.problems)
    assert any(
        p.startswith("color/dup: duplicate name") and "dup.jpg" in p and "dup.png" in p for p in err.problems
    )
    assert any(p.startswith("line/notes.txt: not an image file extension") for p in err.problems)
    assert "good" not in text
    with pytest.raises(DatasetError):
        PairedFolder(tmp_path)  # validation runs at construction


def test_missing_folders_and_empty_dataset(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such folder"):
        validate_pairs(tmp_path / "nope")
    (tmp_path / "color").mkdir()
    with pytest.raises(DatasetError) as info:
        validate_pairs(tmp_path)
    assert info.value.problems == [f"line/: missing folder (expected {tmp_path / 'line' / 'NAME.png'})"]
    (tmp_path / "line").mkdir()
    with pytest.raises(DatasetError, match="no image pairs found"):
        validate_pairs(tmp_path)


def test_rgba_color_is_composited_on_white(tmp_path: Path) -> None:
    _write_pair(tmp_path, "a", w=2, h=1)
    rgba = np.array([[[255, 0, 0, 0], [255, 0, 0, 128]]], dtype=np.uint8)  # transparent, half red
    Image.fromarray(rgba, "RGBA").save(tmp_path / "color" / "a.png")
    la = np.array([[[0, 0], [0, 255]]], dtype=np.uint8)  # black at alpha 0 (-> paper), opaque black
    Image.fromarray(la, "LA").save(tmp_path / "line" / "a.png")
    rgb, ink, _ = PairedFolder(tmp_path)[0]
    assert tuple(rgb[0, 0]) == (255, 255, 255)
    # 255*a + 255*(1-a) for red; 0*a + 255*(1-a) = 127 for green/blue (a = 128/255).
    assert tuple(rgb[0, 1]) == (255, 127, 127)
    np.testing.assert_allclose(ink[0], [0.0, 1.0], atol=1e-6)


def test_exif_rotated_jpeg_is_read_upright_and_sizes_compare_after_rotation(tmp_path: Path) -> None:
    (tmp_path / "color").mkdir()
    (tmp_path / "line").mkdir()
    stored = np.zeros((10, 20, 3), np.uint8)  # stored 20 wide x 10 high
    stored[:, :10] = (255, 0, 0)  # left half red
    stored[:, 10:] = (0, 0, 255)  # right half blue
    img = Image.fromarray(stored, "RGB")
    exif = img.getexif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to display
    img.save(tmp_path / "color" / "rot.jpg", exif=exif, quality=95)
    Image.new("L", (10, 20), 255).save(tmp_path / "line" / "rot.png")  # upright: 10 wide x 20 high

    rgb, ink, _ = PairedFolder(tmp_path, preload=True)[0]
    assert rgb.shape == (20, 10, 3) and ink.shape == (20, 10)
    # Turning clockwise puts the stored left half (red) on top, the right half (blue) below.
    assert rgb[2:8, :, 0].mean() > 200 and rgb[2:8, :, 2].mean() < 50
    assert rgb[12:18, :, 2].mean() > 200 and rgb[12:18, :, 0].mean() < 50
