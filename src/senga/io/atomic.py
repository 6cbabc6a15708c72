"""Atomic file writes: write to a temporary file beside the target, then rename.

An interrupted run (crash, Ctrl-C, full disk) therefore never leaves a
half-written output, and never damages a previous file of the same name.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once at import: os.umask can only be read by setting it, which is not
# safe to do while other threads create files.
_UMASK = _read_umask()


@contextlib.contextmanager
def atomic_write_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; rename it onto ``target`` on success.

    The temporary file keeps ``target``'s suffix (so format-by-extension writers
    work). If the body raises, the temporary file is removed and ``target`` is
    left untouched.

    Example::

        with atomic_write_path("out.png") as tmp:
            image.save(tmp)
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent
    )
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        # mkstemp makes the file private (0600); give it the usual mode instead.
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
