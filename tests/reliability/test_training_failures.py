"""Training failures: full disk, damaged resume state, impossible sizes, bad paired folders."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from images import write_png
from pairs import write_pairs
from reliability_helpers import os_error, run_cli, train_flags


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pairs(tmp_path_factory.mktemp("pairs") / "pairs", 3, size=32)


def test_disk_full_while_writing_a_checkpoint_keeps_the_last_one(data, tmp_path, monkeypatch, capsys) -> None:
    from senga.train import checkpoint as ckpt

    real = ckpt.write_training_state

    def full_at_step_2(folder, state):
        if state["step"] == 2:
            with open(Path(folder) / ckpt.STATE_TENSORS, "wb") as f:
                f.write(b"\0" * 100)  # some bytes reach the disk, then it is full
            raise os_error(errno.ENOSPC, Path(folder) / ckpt.STATE_TENSORS)
        real(folder, state)

    monkeypatch.setattr(ckpt, "write_training_state", full_at_step_2)
    run = tmp_path / "run"
    code, err = run_cli(
        ["train", *train_flags(data), "--steps", "2", "--set", "ckpt_every=1", "--out", str(run)], capsys
    )
    assert code == 1
    assert err == (
        f"senga: error: {run / 'last'}: {os.strerror(errno.ENOSPC)}; checkpoint not written, "
        "the previous checkpoint is kept\n"
    )
    assert json.loads((run / "last" / ckpt.INFO_JSON).read_text())["step"] == 1
    assert sorted(p.name for p in run.iterdir() if p.name.startswith(".")) == []  # no staging left
    monkeypatch.setattr(ckpt, "write_training_state", real)
    assert run_cli(["train", "--resume", str(run), "-q"], capsys)[0] == 0  # the run goes on
    assert json.loads((run / "last" / ckpt.INFO_JSON).read_text())["step"] == 2


def test_a_truncated_training_state_is_a_clear_error_on_resume(data, tmp_path, capsys) -> None:
    run = tmp_path / "run"
    assert run_cli(["train", *train_flags(data), "--steps", "1", "--out", str(run)], capsys)[0] == 0
    state = run / "last" / "training_state.safetensors"
    state.write_bytes(state.read_bytes()[: state.stat().st_size // 2])
    code, err = run_cli(["train", "--resume", str(run), "--steps", "2"], capsys)
    assert code == 2
    assert err.startswith(f"senga: error: {state}: damaged training state (SafetensorError: ")
    assert err.count("\n") == 1 and "start a new run" in err


@pytest.mark.parametrize("crop", ["100000", "30000"])
def test_an_impossible_crop_is_refused_before_anything_is_allocated_or_written(
    data, tmp_path, crop, capsys
) -> None:
    run = tmp_path / "run"
    code, err = run_cli(
        ["train", *train_flags(data), "--crop", crop, "--steps", "1", "--out", str(run)], capsys
    )
    assert code == 2
    assert err.startswith(f"senga: error: crop: --crop {crop} with --batch 2 needs at least ")
    assert "use a smaller --crop" in err and err.count("\n") == 1
    assert not run.exists()


def test_a_start_that_failed_before_its_first_checkpoint_can_be_started_again(
    data, tmp_path, monkeypatch, capsys
) -> None:
    from senga.train import steps

    def out_of_memory(self, *args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(steps.SupervisedStep, "step", out_of_memory)
    run = tmp_path / "run"
    code, err = run_cli(["train", *train_flags(data), "--steps", "1", "--out", str(run)], capsys)
    assert (code, err.startswith("senga: error: out of memory")) == (1, True)
    assert (run / "config.json").is_file() and not (run / "last").exists()
    code, err = run_cli(["train", "--resume", str(run)], capsys)
    assert code == 2 and f"nothing to resume (no last/ checkpoint); start it again with --out {run}" in err
    monkeypatch.undo()
    assert run_cli(["train", *train_flags(data), "--steps", "1", "--out", str(run)], capsys)[0] == 0
    assert (run / "last" / "model.safetensors").is_file()
    code, err = run_cli(["train", *train_flags(data), "--steps", "1", "--out", str(run)], capsys)
    assert code == 2 and "already holds a run" in err  # a run with a checkpoint is never started over


@pytest.mark.parametrize("name", ["EROFS", "EACCES"])
def test_train_out_on_a_read_only_or_forbidden_disk_is_one_line(
    data, tmp_path, monkeypatch, name, capsys
) -> None:
    code_ = {"EROFS": errno.EROFS, "EACCES": errno.EACCES}[name]

    def refuse(self, *args, **kwargs):
        raise os_error(code_, self)

    monkeypatch.setattr(Path, "mkdir", refuse)
    run = tmp_path / "ro" / "run"
    code, err = run_cli(["train", *train_flags(data), "--steps", "1", "--out", str(run)], capsys)
    assert code == 1
    assert err.startswith(f"senga: error: {run}: {os.strerror(code_)}") and err.count("\n") == 1


def test_synth_on_a_read_only_disk_is_one_line(tmp_path, monkeypatch, capsys) -> None:
    def refuse(self, *args, **kwargs):
        raise os_error(errno.EROFS, self)

    monkeypatch.setattr(Path, "mkdir", refuse)
    code, err = run_cli(["synth", str(tmp_path / "s"), "--n", "1", "--size", "32", "-q"], capsys)
    assert code == 1
    assert err.startswith(f"senga: error: {tmp_path / 's' / 'color'}: {os.strerror(errno.EROFS)}")
    assert err.count("\n") == 1


def test_every_problem_of_a_paired_folder_is_printed(tmp_path, capsys) -> None:
    root = write_pairs(tmp_path / "bad", 2, size=32)
    write_png(root / "color" / "orphan.png")
    (root / "line" / "p1.png").write_bytes(b"broken")
    (root / "color" / "notes.txt").write_text("x")
    code, err = run_cli(["train", *train_flags(root), "--steps", "1", "--out", str(tmp_path / "run")], capsys)
    assert code == 2
    lines = err.splitlines()
    assert lines[0].endswith("3 problems in paired folder")
    assert any(line.startswith("  color/notes.txt: not an image file extension") for line in lines)
    assert "  color/orphan.png: no line partner (expected line/orphan.*)" in lines
    assert any(line.startswith("  line/p1.png: ") for line in lines)
    assert len(lines) == 4


def test_hundreds_of_problems_are_capped_with_a_count(tmp_path, capsys) -> None:
    root = write_pairs(tmp_path / "many", 1, size=32)
    for i in range(150):
        (root / "color" / f"junk{i:03d}.txt").write_text("x")
    code, err = run_cli(["train", *train_flags(root), "--steps", "1", "--out", str(tmp_path / "run")], capsys)
    lines = err.splitlines()
    assert code == 2 and lines[0].endswith("150 problems in paired folder")
    assert len(lines) == 1 + 20 + 1 and lines[-1] == "  ... and 130 more problems"
