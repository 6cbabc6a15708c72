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


def test_failure_after_partial_bytes_keeps_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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
    with pytest.raises(KeyboardInterrupt), atomic_write_path(target) as tmp:
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


def test_file_and_folder_are_fsynced_before_the_write_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import stat

    from senga.io import atomic

    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        real_fsync(fd)

    def replace(src: Any, dst: Any) -> None:
        events.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    with atomic_write_path(tmp_path / "out.csv") as tmp:
        tmp.write_text("a,b\n")
    assert events == ["fsync file", "rename", "fsync dir"]
    assert (tmp_path / "out.csv").read_text() == "a,b\n"


def test_a_failed_fsync_reports_the_error_and_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    from senga.io import atomic

    target = tmp_path / "out.csv"
    target.write_text("old")

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", no_space)
    with pytest.raises(OSError) as err, atomic_write_path(target) as tmp:
        tmp.write_text("new")
    assert err.value.errno == errno.ENOSPC
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temporaries_of_killed_writers_are_removed_by_the_next_write(tmp_path: Path) -> None:
    import os
    import time

    from senga.io import atomic

    folder = tmp_path / "out"
    folder.mkdir()
    stale = folder / f".a.{_dead_pid()}.k3j9x_2q.tmp.png"  # a writer killed mid-write
    live = folder / f".b.{os.getpid()}.abcdefgh.tmp.png"  # a write in progress (this process)
    legacy_old = folder / ".c.zz9_zz9z.tmp.png"  # older senga naming, long abandoned
    legacy_new = folder / ".d.zz9_zz9y.tmp.png"  # older naming, maybe still being written
    user = folder / ".notes.tmp.txt"  # not our naming: never touched
    for p in (stale, live, legacy_old, legacy_new, user):
        p.write_bytes(b"partial")
    hour_ago = time.time() - 2 * atomic.LEGACY_TMP_MAX_AGE
    os.utime(legacy_old, (hour_ago, hour_ago))
    atomic._cleaned.discard(folder.resolve())

    write_ink(folder / "x.png", np.zeros((2, 2), np.float32))
    left = sorted(p.name for p in folder.iterdir())
    assert left == sorted([live.name, legacy_new.name, user.name, "x.png"])


@pytest.mark.parametrize("where", ["mkstemp", "body"])
def test_errors_name_the_target_never_the_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    import errno
    import os
    import tempfile

    target = tmp_path / "scores.csv"
    if where == "mkstemp":  # a read-only disk: creating the temporary fails, naming it

        def read_only(prefix: str, suffix: str, dir: Any) -> Any:
            raise OSError(
                errno.EROFS, os.strerror(errno.EROFS), os.path.join(dir, f"{prefix}abcdefgh{suffix}")
            )

        monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(OSError) as err, atomic_write_path(target) as tmp:
        if where == "body":  # a full disk: write() fails without a file name
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        tmp.write_text("x")
    assert err.value.filename == str(target)
    assert err.value.errno == (errno.EROFS if where == "mkstemp" else errno.ENOSPC)
    assert list(tmp_path.iterdir()) == []


def test_errors_about_other_files_keep_their_name(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as err, atomic_write_path(tmp_path / "out.csv"):
        open(tmp_path / "missing_input.png", "rb")  # noqa: SIM115 - the open itself must fail
    assert err.value.filename == str(tmp_path / "missing_input.png")
