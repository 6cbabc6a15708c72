"""Shared helpers of the reliability tests: tiny images, paired folders and CLI runs."""

from __future__ import annotations

import errno
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from senga.cli.main import main
from senga.io import write_ink, write_rgb


def png(path: Path, h: int = 12, w: int = 16) -> Path:
    """A small color PNG with a dark line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rgb = np.full((h, w, 3), 230, np.uint8)
    rgb[h // 2, :] = 0
    Image.fromarray(rgb).save(path)
    return path


def make_pairs(root: Path, n: int = 3, size: int = 32) -> Path:
    """A paired folder ``root/color`` + ``root/line`` of ``n`` tiny pairs."""
    rng = np.random.default_rng(0)
    for i in range(n):
        ink = np.zeros((size, size), np.float32)
        ink[rng.integers(0, size, 2), :] = 1.0
        rgb = (200 * (1.0 - ink[..., None]) * np.ones(3)).astype(np.uint8)
        write_rgb(root / "color" / f"p{i}.png", rgb)
        write_ink(root / "line" / f"p{i}.png", ink)
    return root


def train_flags(data: Path) -> list[str]:
    """Flags that train a tiny model in about a second on a CPU."""
    return ["--preset", "dice", "--data", str(data), "--crop", "32", "--batch", "2", "--workers", "0",
            "--device", "cpu", "--set", "log_every=1", "--set", "sample_every=1000", "-q"]  # fmt: skip


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
