"""``senga extract``: long names, special files, non-image files in folders, the --tile-batch flag."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from senga.cli.main import build_parser, main

# xdog: a classical method, no model to load, so each run is fast
FAST = ["--method", "xdog", "-q"]


def _png(path: Path, h: int = 12, w: int = 16) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(len(path.name))
    Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).save(path)
    return path


def test_a_236_character_input_name_is_written_beside_it_and_into_an_out_folder(tmp_path: Path) -> None:
    src = _png(tmp_path / "in" / ("a" * 236 + ".png"))  # NAME_lines.png is 246 characters: legal
    assert main(["extract", str(src), *FAST]) == 0
    beside = src.with_name(src.stem + "_lines.png")
    assert len(beside.name) == 246 and Image.open(beside).size == (16, 12)
    assert main(["extract", str(src), "-o", str(tmp_path / "out"), *FAST]) == 0
    assert Image.open(tmp_path / "out" / (src.stem + ".png")).size == (16, 12)
    out_file = tmp_path / "o" / ("b" * 240 + ".png")
    assert main(["extract", str(src), "-o", str(out_file), *FAST]) == 0
    assert out_file.is_file()
    assert not list(tmp_path.rglob(".*"))  # no temporaries left


def test_a_folder_reports_its_non_image_files_as_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _png(tmp_path / "art" / "a.png")
    (tmp_path / "art" / "notes.txt").write_text("not a picture")
    assert main(["extract", str(tmp_path / "art"), "-o", str(tmp_path / "out"), "--method", "xdog"]) == 0
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == "senga: 1 written, 1 skipped: not an image (notes.txt), 0 failed"


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_in_a_folder_is_reported_and_the_batch_goes_on_without_hanging(tmp_path: Path) -> None:
    _png(tmp_path / "art" / "a.png")
    os.mkfifo(tmp_path / "art" / "b.png")
    (tmp_path / "art" / "c.png").symlink_to("/dev/zero")
    done = subprocess.run(
        [sys.executable, "-m", "senga", "extract", str(tmp_path / "art"), "-o", str(tmp_path / "out"), *FAST],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert f"senga: {tmp_path / 'art' / 'b.png'}: not a regular file (a FIFO)" in done.stderr.splitlines()
    assert f"senga: {tmp_path / 'art' / 'c.png'}: not a regular file (a character device)" in done.stderr
    assert "1 written" in done.stderr and "2 failed" in done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.png"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_given_by_name_says_what_it_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(tmp_path / "p.png")
    assert main(["extract", str(tmp_path / "p.png"), *FAST]) == 1
    assert f"{tmp_path / 'p.png'}: not a regular file (a FIFO)" in capsys.readouterr().err


def test_tile_batch_and_its_deprecated_alias(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = build_parser()
    assert parser.parse_args(["extract", "x.png"]).tile_batch == 1
    assert parser.parse_args(["extract", "x.png", "--tile-batch", "3"]).tile_batch == 3
    assert parser.parse_args(["extract", "x.png", "--batch", "4"]).tile_batch == 4
    assert "senga: --batch is deprecated; use --tile-batch" in capsys.readouterr().err
    help_text = " ".join(parser._subparsers._group_actions[0].choices["extract"].format_help().split())  # type: ignore[union-attr]  # argparse internals
    assert "--tile-batch N tiles per forward pass" in help_text
    assert "--batch N deprecated alias of --tile-batch" in help_text
    for words in (".txt", ".csv", ".parquet", "globs", "NAME_lines.png", "OUT/NAME.png"):
        assert words in help_text, words


def test_tile_batch_reaches_the_extractor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from senga.extract import LineExtractor

    seen: dict[str, object] = {}

    def fake_from_pretrained(*args: object, **kwargs: object) -> object:
        seen.update(kwargs)
        raise ValueError("stop here")

    monkeypatch.setattr(LineExtractor, "from_pretrained", fake_from_pretrained)
    src = _png(tmp_path / "a.png")
    assert main(["extract", str(src), "--tile-batch", "5", "-q"]) == 2
    assert seen["tiling"].batch_size == 5  # type: ignore[attr-defined]  # seen holds objects
