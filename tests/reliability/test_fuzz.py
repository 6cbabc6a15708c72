"""Fuzz: random bytes and damaged PNG/JPEG files through ``extract`` and ``eval``.

Every file ends in a valid output or a one-line error naming it; never a
traceback, never an internal error.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from senga.cli.main import main
from senga.io import write_ink

N_RANDOM = 200
N_MUTATED = 40  # per format (PNG, JPEG)


def _encoded(fmt: str) -> bytes:
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format=fmt)
    return buf.getvalue()


def _mutate(data: bytes, rng: np.random.Generator) -> bytes:
    """Flip, overwrite, cut or splice bytes, as damaged downloads and disks do."""
    b = bytearray(data)
    kind = rng.integers(0, 4)
    if kind == 0:  # flipped bits
        for i in rng.integers(0, len(b), rng.integers(1, 20)):
            b[i] ^= 1 << int(rng.integers(0, 8))
    elif kind == 1:  # overwritten run
        start = int(rng.integers(0, len(b)))
        n = int(rng.integers(1, 64))
        b[start : start + n] = rng.integers(0, 256, len(b[start : start + n]), dtype=np.uint8).tobytes()
    elif kind == 2:  # truncated
        b = b[: int(rng.integers(0, len(b)))]
    else:  # a chunk repeated elsewhere
        i, j = sorted(int(x) for x in rng.integers(0, len(b), 2))
        b = b[:j] + b[i:j] + b[j:]
    return bytes(b)


@pytest.fixture(scope="module")
def fuzz_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("fuzz") / "in"
    folder.mkdir()
    rng = np.random.default_rng(20261130)
    files = []
    for i in range(N_RANDOM):
        n = int(rng.choice([0, 1, 8, 64, 512, 4096]))
        ext = (".png", ".jpg", ".webp", ".tif", ".bmp", ".gif")[i % 6]
        path = folder / f"random{i:03d}{ext}"
        path.write_bytes(rng.integers(0, 256, n, dtype=np.uint8).tobytes())
        files.append(path)
    for fmt, ext in (("PNG", ".png"), ("JPEG", ".jpg")):
        base = _encoded(fmt)
        for i in range(N_MUTATED):
            path = folder / f"mutated_{fmt.lower()}{i:03d}{ext}"
            path.write_bytes(_mutate(base, rng))
            files.append(path)
    return files


def _no_traceback(err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err


def test_extract_gives_an_output_or_a_one_line_error_for_every_file(fuzz_files, tmp_path, capsys) -> None:
    folder = fuzz_files[0].parent
    out = tmp_path / "out"
    code = main(["extract", str(folder), "-o", str(out), "--method", "xdog", "--max-pixels", "100000", "-q"])
    err = capsys.readouterr().err
    _no_traceback(err)
    assert code in (0, 1)
    reported = {m.group(1) for m in re.finditer(r"^senga: (.+?): ", err, re.MULTILINE)}
    for path in fuzz_files:
        target = out / (path.stem + ".png")
        if target.exists():
            with Image.open(target) as im:
                im.load()
                assert im.mode == "L" and im.format == "PNG"
            assert str(path) not in reported
        else:
            assert str(path) in reported, f"{path.name}: neither an output nor an error"
    assert (code == 1) == bool(reported)
    assert not list(out.rglob(".*"))  # no temporaries left


def test_eval_scores_or_names_the_bad_file(fuzz_files, tmp_path, capsys) -> None:
    good = tmp_path / "good"
    ink = np.zeros((12, 16), np.float32)
    ink[4] = 1.0
    for i, path in enumerate(fuzz_files):
        if path.suffix not in (".png", ".jpg", ".webp", ".tif", ".bmp"):
            continue
        pred, gt = tmp_path / f"p{i}", tmp_path / f"g{i}"
        fuzz_side, good_side = (pred, gt) if i % 2 == 0 else (gt, pred)
        fuzz_side.mkdir()
        (fuzz_side / path.name).write_bytes(path.read_bytes())
        write_ink(good_side / (path.stem + ".png"), ink)
        code = main(["eval", str(pred), str(gt), *(["--resize"] if i % 4 < 2 else []), "--json"])
        captured = capsys.readouterr()
        _no_traceback(captured.err)
        if code == 0:
            assert captured.out.lstrip().startswith("{")
        else:
            assert code == 2
            assert captured.err.count("\n") == 1 and captured.err.startswith("senga: error: ")
            assert str(fuzz_side / path.name) in captured.err or str(good_side) in captured.err
    assert not good.exists()
