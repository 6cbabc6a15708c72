"""Atomic, durable file writes: write a temporary file beside the target, fsync, rename.

An interrupted run (crash, Ctrl-C, full disk, power loss) therefore never
leaves a half-written output, and never damages a previous file of the same
name: the temporary file is fsynced before the rename, and the folder after
it, so when :func:`atomic_write_path` returns the new file is on disk.

Temporary files are named ``.STEM.PID.XXXXXXXX.tmpSUFFIX`` (PID of the
writing process, 8 random characters), in the target's folder. ``STEM`` is
shortened (at a character boundary) so that the name fits in
:data:`NAME_MAX_BYTES`: every target name the file system accepts can be
written, however long; the random part keeps shortened names unique. A process killed mid-write leaves
one behind; the next write into that folder (by any senga command) removes
the temporaries of this naming whose process is gone
(:func:`clean_stale_temporaries`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

#: Longest file name, in bytes, that common file systems accept (ext4, XFS, btrfs, APFS, NTFS in UTF-16
#: units); temporary names are kept within it.
NAME_MAX_BYTES: int = 255
#: Characters ``tempfile.mkstemp`` adds between prefix and suffix.
_RANDOM_CHARS = 8

#: Temporaries of writers from before the PID was part of the name are removed
#: when older than this (seconds).
LEGACY_TMP_MAX_AGE: float = 3600.0

# .STEM.PID.XXXXXXXX.tmpSUFFIX (current) and .STEM.XXXXXXXX.tmpSUFFIX (older senga)
_TMP_RE = re.compile(r"^\..+\.(?P<pid>\d+)\.[a-z0-9_]{8}\.tmp(\.[^./]+)?$")
_LEGACY_TMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp(\.[^./]+)?$")


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once at import: os.umask can only be read by setting it, which is not
# safe to do while other threads create files.
_UMASK = _read_umask()

_cleaned: set[Path] = set()
_cleaned_lock = threading.Lock()


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Flush a folder's entries (a rename into it) to disk; a no-op where folders cannot be fsynced."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # e.g. Windows cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF, errno.EACCES):
            raise
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but not ours (EPERM), or cannot tell: keep the file
        return True
    return True


def is_stale_temporary(path: Path, now: float | None = None) -> bool:
    """True for a temporary of :func:`atomic_write_path`'s naming whose writer is gone."""
    name = path.name
    match = _TMP_RE.match(name)
    if match is not None:
        return not _pid_alive(int(match.group("pid")))
    if _LEGACY_TMP_RE.match(name):
        try:
            age = (time.time() if now is None else now) - path.stat().st_mtime
        except OSError:
            return False
        return age > LEGACY_TMP_MAX_AGE
    return False


def clean_stale_temporaries(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove stale temporaries (see :func:`is_stale_temporary`) directly in ``folder``; returns them."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(".") or ".tmp" not in entry.name:
            continue
        path = Path(entry.path)
        try:
            if entry.is_file(follow_symlinks=False) and is_stale_temporary(path):
                path.unlink()
                removed.append(path)
        except OSError:  # gone already, or not ours to remove: leave it
            continue
    return removed


def _clean_once(folder: Path) -> None:
    """Clean ``folder`` the first time this process writes into it (a batch lists it once)."""
    key = folder.resolve()
    with _cleaned_lock:
        if key in _cleaned:
            return
        _cleaned.add(key)
    clean_stale_temporaries(key)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temporary_prefix(target: Path, pid: int | None = None) -> str:
    """``.STEM.PID.`` for ``target``'s temporaries, ``STEM`` cut so the whole name fits in
    :data:`NAME_MAX_BYTES` (``.STEM.PID.XXXXXXXX.tmpSUFFIX``, UTF-8 bytes).

    A suffix so long that no stem fits (a name of over 230 bytes with no stem) is shortened too:
    the temporary's suffix only matters for writers that pick the format by extension, and
    those get registered image extensions.
    """
    pid_text = str(os.getpid() if pid is None else pid)
    fixed = len(os.fsencode(f"..{pid_text}.")) + _RANDOM_CHARS + len(os.fsencode(_suffix(target)))
    room = max(1, NAME_MAX_BYTES - fixed)
    return f".{_cut(target.stem, room)}.{pid_text}."


def _suffix(target: Path) -> str:
    """``.tmpSUFFIX``, the suffix cut when it alone would not fit."""
    suffix = f".tmp{target.suffix}"
    room = NAME_MAX_BYTES - 16 - _RANDOM_CHARS  # leaves room for ".X.PID." (PIDs below 10**12)
    return suffix if len(os.fsencode(suffix)) <= room else ".tmp"


def _cut(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` file-system bytes, never inside a character."""
    while len(os.fsencode(text)) > max_bytes:
        text = text[:-1]
    return text


@contextlib.contextmanager
def atomic_write_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; fsync and rename it onto ``target`` on success.

    The temporary file keeps ``target``'s suffix (so format-by-extension writers
    work). If the body raises, the temporary file is removed and ``target`` is
    left untouched. On success the file and the folder's new entry are on disk
    (fsynced) before this returns.

    Example::

        with atomic_write_path("out.png") as tmp:
            image.save(tmp)
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _clean_once(target.parent)
    try:
        fd, name = tempfile.mkstemp(
            prefix=temporary_prefix(target), suffix=_suffix(target), dir=target.parent
        )
    except OSError as err:
        raise _naming(err, target, None) from err
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        # mkstemp makes the file private (0600); give it the usual mode instead.
        os.chmod(tmp, 0o666 & ~_UMASK)
        _fsync_file(tmp)
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except OSError as err:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise _naming(err, target, tmp) from err
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _naming(err: OSError, target: Path, tmp: Path | None) -> OSError:
    """``err`` re-raised as naming ``target`` when it names no file or our temporary one.

    Users never see temporary names; an error about another file (an input read
    inside the ``with`` body) is returned unchanged.
    """
    if err.errno is None:
        return err
    if err.filename is not None:
        named = Path(os.fsdecode(err.filename))
        ours = named == tmp if tmp is not None else named.name.startswith(temporary_prefix(target))
        if not ours:
            return err
    return OSError(err.errno, err.strerror or str(err), str(target))
