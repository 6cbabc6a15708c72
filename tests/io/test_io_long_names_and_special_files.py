"""Every output name the file system accepts can be written; FIFOs and devices are refused, never opened."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from senga.io import ImageError, read_gray, read_rgb, scan_folder, special_kind, write_gray
from senga.io.atomic import NAME_MAX_BYTES, atomic_write_path, is_stale_temporary, temporary_prefix

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")


@pytest.mark.parametrize(
    "name",
    ["a" * 236 + "_lines.png", "x" * 251 + ".png", "線" * 80 + ".png", "b" * 10 + "." + "s" * 240],
    ids=["246-ascii", "255-ascii", "multibyte-243", "long-suffix"],
)
def test_the_longest_names_are_written_through_a_temporary_that_fits(tmp_path: Path, name: str) -> None:
    assert len(os.fsencode(name)) <= NAME_MAX_BYTES
    target = tmp_path / name
    seen: list[Path] = []
    with atomic_write_path(target) as tmp:
        seen.append(tmp)
        assert tmp.parent == tmp_path  # in the target's folder (same file system, atomic rename)
        assert len(os.fsencode(tmp.name)) <= NAME_MAX_BYTES
        tmp.write_bytes(b"data")
    assert target.read_bytes() == b"data"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    assert len(os.fsencode(temporary_prefix(target))) < NAME_MAX_BYTES


def test_a_246_character_png_round_trips(tmp_path: Path) -> None:
    target = tmp_path / ("n" * 236 + "_lines.png")
    write_gray(target, np.full((3, 4), 9, np.uint8))
    assert read_gray(target).tolist() == [[9] * 4] * 3


def test_shortened_temporaries_stay_unique_and_are_cleaned_when_stale(tmp_path: Path) -> None:
    target = tmp_path / ("q" * 240 + ".png")
    with atomic_write_path(target) as a, atomic_write_path(target.with_name("q" * 239 + "r.png")) as b:
        assert a != b and a.name[:20] == b.name[:20]  # same shortened stem, different random part
        a.write_bytes(b"1")
        b.write_bytes(b"2")
    dead = tmp_path / (temporary_prefix(target, pid=2**22 + 12345) + "abcdefgh" + ".tmp.png")
    assert len(os.fsencode(dead.name)) <= NAME_MAX_BYTES
    dead.write_bytes(b"half")
    assert is_stale_temporary(dead)  # the naming the cleaner knows


# --- special files -----------------------------------------------------------------------------


def _run_with_timeout(code: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter: a read that blocked on a FIFO would hang this test, not the suite."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout
    )


@needs_fifo
def test_a_fifo_named_like_an_image_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    assert special_kind(fifo) == "a FIFO"
    done = _run_with_timeout(
        f"""
        from senga.io import ImageError, read_rgb
        try:
            read_rgb({str(fifo)!r})
        except ImageError as err:
            print(err)
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{fifo}: not a regular file (a FIFO)"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "zero.png"
    link.symlink_to("/dev/zero")
    with pytest.raises(ImageError, match=r"zero\.png: not a regular file \(a character device\)$"):
        read_rgb(link)


@needs_fifo
def test_a_folder_listing_sorts_images_special_files_and_other_files(tmp_path: Path) -> None:
    write_gray(tmp_path / "a.png", np.zeros((2, 2), np.uint8))
    os.mkfifo(tmp_path / "b.png")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "sub" / "plain-fifo")  # not named like an image: ignored
    listing = scan_folder(tmp_path)
    assert listing.images == [tmp_path / "a.png"]
    assert listing.special == [(tmp_path / "b.png", "a FIFO")]
    assert listing.not_images == [tmp_path / "notes.txt"]


def test_missing_and_regular_files_are_not_special(tmp_path: Path) -> None:
    (tmp_path / "f.png").write_bytes(b"x")
    assert special_kind(tmp_path / "f.png") is None
    assert special_kind(tmp_path / "missing.png") is None
    assert special_kind(tmp_path) is None
