"""Shared helpers of the reliability tests: training flags, CLI runs and OS errors
(tiny images and paired folders come from ``tests/helpers``)."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from training import TINY_TRAIN_FLAGS

from senga.cli.main import main


def train_flags(data: Path) -> list[str]:
    """Flags that train a tiny model in about a second on a CPU."""
    return [
        "--preset",
        "dice",
        "--data",
        str(data),
        *TINY_TRAIN_FLAGS,
        "--set",
        "log_every=1",
        "--set",
        "sample_every=1000",
        "-q",
    ]


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``(exit code, stderr)`` of ``senga ARGV``, checking that no traceback was printed."""
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    return code, err


def os_error(code: int, path: Path | str) -> OSError:
    """The OSError the system raises for ``code`` (ENOSPC, EROFS, EACCES, ...) on ``path``."""
    import os

    return OSError(code, os.strerror(code), str(path))


ERRNOS = {"ENOSPC": errno.ENOSPC, "EROFS": errno.EROFS, "EACCES": errno.EACCES}
