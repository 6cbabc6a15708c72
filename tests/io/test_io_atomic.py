"""Atomic writes: a failure mid-write leaves no partial file and the previous file intact."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from senga.io import atomic_write_path, read_gray, write_gray, write_ink


def test_success_replaces_target_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.png"
    target.write_bytes(b"old")
    with atomic_write_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".png" and tmp != target
        tmp.write_bytes(b"new")
        assert target.read_bytes() == b"old"  # not visible until the body ends
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


def test_creates_missing_parent_folders(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.png"
    write_ink(target, np.zeros((2, 2), np.float32))
    assert read_gray(target).tolist() == [[255, 255], [255, 255]]


def test_failure_after_partial_bytes_keeps_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.png"
    write_gray(target, np.full((3, 3), 7, np.uint8))
    before = target.read_bytes()

    def broken_save(self: Image.Image, fp: Any, *args: Any, **kwargs: Any) -> None:
        Path(fp).write_bytes(b"\x89PNG partial")  # some bytes hit the disk ...
        raise OSError("No space left on device")  # ... then the write fails

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(OSError, match="No space left"):
        write_gray(target, np.zeros((3, 3), np.uint8))
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]  # no temp left behind


def test_failure_without_previous_file_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "new.png"
    with pytest.raises(KeyboardInterrupt):
        with atomic_write_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_output_gets_the_usual_file_mode_not_mkstemps_private_one(tmp_path):
    """mkstemp creates 0600 files; an output must be readable like any file the user writes."""
    import os

    import numpy as np

    from senga.io import atomic

    target = tmp_path / "lines.png"
    write_ink(target, np.zeros((2, 2), np.float32))
    assert os.stat(target).st_mode & 0o777 == 0o666 & ~atomic._UMASK
