"""Output-path safety: the one place every command checks where it is about to write.

Every output path is resolved once (absolute, symlinks followed, ``..``
removed, also through folders that do not exist yet), and all later steps
(the "already exists" check, the write itself) use the resolved path, so
spellings such as ``out/nothere/../lines`` or a glob with ``..`` after a
wildcard cannot slip past a check. :class:`OutputGuard` then refuses an
output that

* lies outside the command's output root (``-o`` folder, a run folder), or
* would replace one of the command's inputs (same path, or the same file
  reached through another name: a hard link or symlink), or
* is an existing folder where a file is expected (or a file where a folder is).

Used by ``senga extract`` (every planned output), ``senga eval --csv``,
``senga synth`` (its folder and ``--sheet``) and ``senga train --out``.

Example::

    guard = OutputGuard(root="lines/", inputs=["art/a.png"])
    target = guard.check_file("lines/a.png")  # resolved Path, or OutputError
    if target.exists() and not overwrite:
        ...
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from senga.errors import SengaError

__all__ = ["OutputError", "OutputGuard", "is_under", "resolve_path", "spelled_like"]


class OutputError(SengaError):
    """An output path is not safe to write. ``str(err)`` is ``"PATH: problem"``."""


def resolve_path(path: str | os.PathLike[str]) -> Path:
    """``path`` made absolute with symlinks followed and ``.``/``..`` removed.

    Works for paths that do not exist yet: the existing part is resolved by
    the file system, the rest lexically (which is what the file system will
    do once the missing folders are created).
    """
    return Path(os.path.abspath(os.fspath(path))).resolve()


def spelled_like(resolved: Path, given: str | os.PathLike[str]) -> Path:
    """``resolved`` for messages: relative to the working folder when ``given`` was relative.

    The result names the same file as ``resolved`` (no ``..`` through missing
    folders, no symlinks), only shorter.
    """
    return resolved if Path(given).is_absolute() else Path(os.path.relpath(resolved))


def is_under(path: Path, root: Path) -> bool:
    """True if resolved ``path`` is ``root`` or inside it (both already resolved)."""
    return path == root or root in path.parents


def _file_key(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


class OutputGuard:
    """Checks the outputs of one command run against its output root and its inputs.

    Args:
        root: outputs must resolve inside this folder (``None``: anywhere).
        inputs: files the command reads; no output may replace one of them.
    """

    def __init__(
        self, root: str | os.PathLike[str] | None = None, inputs: Iterable[str | os.PathLike[str]] = ()
    ) -> None:
        self.root = resolve_path(root) if root is not None else None
        self._inputs: set[Path] = set()
        self._input_keys: set[tuple[int, int]] = set()
        self.add_inputs(inputs)

    def add_inputs(self, inputs: Iterable[str | os.PathLike[str]]) -> None:
        """Register more input files (by resolved path and by file identity)."""
        for p in inputs:
            resolved = resolve_path(p)
            self._inputs.add(resolved)
            key = _file_key(resolved)
            if key is not None:
                self._input_keys.add(key)

    def is_input(self, resolved: Path) -> bool:
        """True if the resolved path is, or is the same file as, a registered input."""
        if resolved in self._inputs:
            return True
        key = _file_key(resolved) if self._input_keys else None
        return key is not None and key in self._input_keys

    def check_file(self, path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> Path:
        """Resolve an output file path and check it (module rules); returns the resolved path.

        Args:
            path: the output file as the command computed it.
            root: overrides the guard's root for this file (e.g. the input's
                folder for outputs written beside their input).

        Raises:
            OutputError: outside the root, an input file, or an existing folder.
        """
        resolved = resolve_path(path)
        base = resolve_path(root) if root is not None else self.root
        if base is not None and not is_under(resolved, base):
            raise OutputError(path, f"resolves to {resolved}, outside the output folder {base}; not written")
        if self.is_input(resolved):
            raise OutputError(path, "would replace an input file; choose another output")
        if resolved.is_dir():
            raise OutputError(path, "is a folder; expected a file name")
        return resolved

    def check_dir(self, path: str | os.PathLike[str]) -> Path:
        """Resolve an output folder and check it is not a file (or an input); returns the resolved path."""
        resolved = resolve_path(path)
        if self.root is not None and not is_under(resolved, self.root):
            raise OutputError(path, f"resolves to {resolved}, outside the output folder {self.root}")
        if self.is_input(resolved) or (resolved.exists() and not resolved.is_dir()):
            raise OutputError(path, "is a file; expected a folder")
        return resolved
