"""Writing synthetic datasets: layout, meta.json, byte-identical reruns (any worker count),
contact sheets, and the ``senga synth`` command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from senga.cli.main import main
from senga.data.synth import SYNTH_VERSION, SynthStream, contact_sheet, pair_name, write_dataset
from senga.io import read_ink, read_rgb


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_write_dataset_layout_meta_and_content(tmp_path: Path) -> None:
    write_dataset(tmp_path, n=3, seed=7, size=64)
    assert sorted(p.name for p in (tmp_path / "color").iterdir()) == [f"synth_00000{i}.png" for i in range(3)]
    assert sorted(p.name for p in (tmp_path / "line").iterdir()) == [f"synth_00000{i}.png" for i in range(3)]
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["seed"] == 7 and meta["n"] == 3 and meta["size"] == [64, 64]
    assert meta["synth_version"] == SYNTH_VERSION and "senga_version" in meta
    assert meta["config"]["jpeg_prob"] == pytest.approx(0.3)
    rgb, ink = SynthStream(7, 64).pair(2)
    np.testing.assert_array_equal(read_rgb(tmp_path / "color" / "synth_000002.png"), rgb)
    # line files are 8-bit: ink comes back within half a gray level
    np.testing.assert_allclose(read_ink(tmp_path / "line" / "synth_000002.png"), ink, atol=0.5 / 255 + 1e-6)


def test_rerun_and_more_workers_give_byte_identical_files(tmp_path: Path) -> None:
    write_dataset(tmp_path / "a", n=2, seed=1, size=48)
    write_dataset(tmp_path / "b", n=2, seed=1, size=48)
    write_dataset(tmp_path / "c", n=2, seed=1, size=48, workers=2)
    a, b, c = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert a == b == c


def test_pair_names_widen_past_a_million() -> None:
    assert pair_name(5, 10) == "synth_000005"
    assert pair_name(5, 2_000_000) == "synth_0000005"


def test_contact_sheet_geometry_and_content() -> None:
    rgb = np.zeros((32, 32, 3), np.uint8)
    ink = np.ones((32, 32), np.float32)
    sheet = contact_sheet([(rgb, ink)] * 5, columns=2, cell=32)
    # 2 columns of (color | line) cells with 4 px gaps; 3 rows
    assert sheet.size == (2 * (2 * 32 + 12) + 4, 3 * (32 + 4) + 4)
    assert sheet.getpixel((4, 4)) == (0, 0, 0)
    with pytest.raises(ValueError, match="no pairs"):
        contact_sheet([])


def test_cli_writes_layout_meta_and_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, sheet = tmp_path / "s", tmp_path / "sheet.png"
    code = main(
        ["synth", str(out), "--n", "2", "--seed", "3", "--size", "80x64", "--sheet", str(sheet), "-q"]
    )
    assert code == 0
    assert "wrote 2 pairs" in capsys.readouterr().out
    assert Image.open(out / "color" / "synth_000001.png").size == (80, 64)
    assert Image.open(out / "line" / "synth_000001.png").mode == "L"
    assert json.loads((out / "meta.json").read_text())["size"] == [64, 80]
    assert Image.open(sheet).mode == "RGB"


def test_cli_config_overrides_and_bad_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"jpeg_prob": 0.0}))
    assert main(["synth", str(tmp_path / "o"), "--n", "1", "--size", "48", "--config", str(cfg), "-q"]) == 0
    assert json.loads((tmp_path / "o" / "meta.json").read_text())["config"]["jpeg_prob"] == 0.0
    cfg.write_text(json.dumps({"nonsense": 1}))
    assert main(["synth", str(tmp_path / "p"), "--n", "1", "--config", str(cfg)]) == 2
    assert "nonsense" in capsys.readouterr().err
