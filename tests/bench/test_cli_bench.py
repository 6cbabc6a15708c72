"""`senga bench` on the command line (fake backend): files, printed table, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import senga.bench.runner as runner
from senga.cli.main import main
from senga.train.config import parse_sets


@pytest.fixture(autouse=True)
def _fake_backend(monkeypatch: pytest.MonkeyPatch, backend) -> None:
    monkeypatch.setattr(runner, "default_backend", lambda: backend)


def test_cli_runs_a_bench(
    tmp_path: Path, test_dir: Path, trainer, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(
        [
            "bench",
            "--train",
            "synth",
            "--test",
            str(test_dir),
            "--presets",
            "ours,dice",
            "--steps",
            "2",
            "--out",
            str(out),
            "--classical",
            "morph",
            "--crop",
            "32",
            "--batch",
            "2",
            "--seed",
            "3",
            "--set",
            "lr=0.0005",
            "--figure-rows",
            "1",
            "-q",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "| method | RMSE | P | R | F1 | train time |" in printed and "| Ours |" in printed
    assert {p.name for p in out.iterdir()} >= {
        "results.md",
        "results.json",
        "comparison.png",
        "runs",
        "predictions",
    }
    data = json.loads((out / "results.json").read_text())
    assert data["budget"]["seed"] == 3 and data["budget"]["overrides"] == {"lr": 0.0005}
    assert "--set lr=0.0005" in data["command"]
    assert [c["seed"] for c in trainer.calls] == [3, 3]


def test_cli_errors_are_one_line(tmp_path: Path, test_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "bench",
            "--train",
            "synth",
            "--test",
            str(test_dir),
            "--presets",
            "ours,unet",
            "--steps",
            "2",
            "--out",
            str(tmp_path / "o"),
            "-q",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("senga: error: bench row 'unet': preset: unknown preset 'unet'")
    assert err.count("\n") == 1

    code = main(
        [
            "bench",
            "--train",
            "synth",
            "--test",
            str(tmp_path / "none"),
            "--steps",
            "2",
            "--out",
            str(tmp_path / "o"),
            "-q",
        ]
    )
    assert code == 2 and "none: no such folder" in capsys.readouterr().err


def test_set_values_are_typed() -> None:
    assert parse_sets(["lr=0.001", "workers=0", "preload=true", "lr_schedule=cosine"], typed=True) == {
        "lr": 0.001,
        "workers": 0,
        "preload": True,
        "lr_schedule": "cosine",
    }
    with pytest.raises(ValueError, match="expected FIELD=VALUE"):
        parse_sets(["lr"], typed=True)


def test_out_that_is_a_file_is_refused_before_any_work(
    tmp_path: Path, test_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me")
    code = main(
        [
            "bench",
            "--train",
            "synth",
            "--test",
            str(test_dir),
            "--presets",
            "ours",
            "--steps",
            "2",
            "--out",
            str(existing),
            "-q",
        ]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "notes.txt" in err and "expected a folder" in err
    assert existing.read_text() == "keep me"
