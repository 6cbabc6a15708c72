"""The trainer end to end on tiny data: every preset, the run folder, resume, non-finite loss, errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from senga.data.paired import PairedFolder
from senga.extract.tiling import predict_ink
from senga.io import gray_to_ink, ink_to_gray
from senga.metrics import mean_scores, scores
from senga.models import from_pretrained
from senga.train import NonFiniteLossError, TrainingError, get_preset, train
from senga.train.config import ConfigError
from senga.train.steps import Objective


def _evaluate(model_dir: Path, val_dir: Path) -> dict[str, float]:
    """What a user gets: from_pretrained -> tiled inference -> 8-bit PNG values -> exact metrics."""
    model = from_pretrained(model_dir)
    rows = []
    for rgb, gt, _ in PairedFolder(val_dir):
        pred = gray_to_ink(ink_to_gray(predict_ink(model, rgb, tile=64, overlap=0)))
        rows.append(scores(pred, gt))
    return mean_scores(rows)


@pytest.mark.parametrize("preset", ["ours", "wo-attn", "dice", "pix2pix", "exp5"])
def test_every_preset_trains_checkpoints_and_evaluates(preset: str, pairs, tmp_path, tiny) -> None:
    # trained on the synthetic stream (64 px pairs), validated on a fixed paired folder
    config = get_preset(preset, **tiny(pairs, preset, data=["synth:size=64"]))
    result = train(config, tmp_path / "run", progress=False)
    assert (result.steps, result.best_dir, result.last_dir) == (
        2,
        tmp_path / "run" / "best",
        tmp_path / "run" / "last",
    )
    assert result.seconds > 0
    # the logged validation score is exactly what evaluating the saved best/ model gives
    got = _evaluate(result.best_dir, pairs["val"])
    assert result.best_f1 == pytest.approx(got["F1"], abs=1e-9)
    assert max(r.get("val_F1", -1) for r in result.history) == pytest.approx(got["F1"], abs=1e-9)
    # last/ holds the weights of step 2 and loads as the same model kind
    assert from_pretrained(result.last_dir).config.name == config.model
    assert json.loads((result.last_dir / "checkpoint.json").read_text())["step"] == 2


def test_run_folder_contents(pairs, tmp_path, tiny) -> None:
    run = tmp_path / "run"
    config = get_preset("ours", **tiny(pairs, steps=4, val_every=2, sample_every=2, ckpt_every=2))
    train(config, run, progress=False)
    names = {p.name for p in run.iterdir()}
    assert {"config.json", "metrics.csv", "train.log", "samples", "last", "best"} <= names
    assert json.loads((run / "config.json").read_text()) == config.to_dict()
    rows = list(csv.DictReader((run / "metrics.csv").open()))
    assert [r["step"] for r in rows] == ["1", "2", "3", "4"]
    assert [bool(r["val_F1"]) for r in rows] == [False, True, False, True]  # validation every 2 steps
    assert list(rows[0])[:5] == ["step", "seconds", "lr", "samples_per_s", "loss"]
    grids = sorted(p.name for p in (run / "samples").iterdir())
    assert grids == ["step_000002.png", "step_000004.png"]
    grid = Image.open(run / "samples" / grids[0])
    # 2 validation images of 48 px: rows of input | prediction | ground truth with 4 px gaps
    assert grid.size == (3 * 48 + 2 * 4, 2 * 48 + 4)
    assert {"model.safetensors", "config.json", "training_state.json", "training_state.safetensors"} <= {
        p.name for p in (run / "last").iterdir()
    }
    assert from_pretrained(run / "best").config.attention is True
    assert "validation P" in (run / "train.log").read_text()


def test_without_validation_there_is_no_best(pairs, tmp_path, tiny) -> None:
    result = train(get_preset("dice", **tiny(pairs, val=None)), tmp_path / "run", progress=False)
    assert result.best_dir is None and result.best_f1 is None
    assert not (tmp_path / "run" / "best").exists()
    assert (tmp_path / "run" / "samples" / "step_000002.png").is_file()  # grids of training crops instead


def test_epochs_count_the_folder_pairs(pairs, tmp_path, tiny) -> None:
    # 4 pairs, batch 2 -> 2 steps per epoch; 2 epochs -> 4 steps
    config = get_preset("dice", **tiny(pairs, steps=None, epochs=2, val=None))
    assert train(config, tmp_path / "run", progress=False).steps == 4


def test_synthetic_validation_spec(pairs, tmp_path, tiny) -> None:
    result = train(
        get_preset("dice", **tiny(pairs, val="synth:n=2,size=40,seed=5")), tmp_path / "run", progress=False
    )
    assert result.best_dir is not None
    grid = Image.open(tmp_path / "run" / "samples" / "step_000002.png")
    assert grid.size == (3 * 40 + 2 * 4, 2 * 40 + 4)  # the 2 synthetic validation pairs of 40 px


def test_epochs_need_a_size_with_only_synthetic_data(tmp_path) -> None:
    config = get_preset("dice", data=["synth:size=32"], epochs=1, workers=0, device="cpu")
    with pytest.raises(ConfigError, match="epochs: the data has no folder sources"):
        train(config, tmp_path / "run", progress=False)


def _weights(folder: Path) -> dict[str, torch.Tensor]:
    return load_file(str(folder / "model.safetensors"))


@pytest.mark.parametrize(
    ("preset", "extra"),
    [
        ("ours", {}),
        (
            "ours",
            {"preload": True, "lr_schedule": "cosine", "warmup_steps": 2},
        ),  # on-device data, lr per step
        ("pix2pix", {}),  # dropout draws from the (restored) torch RNG
    ],
)
def test_resume_after_a_kill_reaches_the_same_weights(
    preset: str, extra: dict, pairs, tmp_path, tiny
) -> None:
    # validated and checkpointed at step 2, killed after step 3: the resume restores best_f1, the
    # RNGs, the optimizer and the data position from step 2 and must then follow the whole run exactly
    config = get_preset(preset, **tiny(pairs, preset, steps=4, ckpt_every=2, val_every=2, **extra))
    whole = train(config, tmp_path / "whole", progress=False)

    def kill_at_3(step: int, model: torch.nn.Module) -> None:
        if step == 3:
            raise KeyboardInterrupt  # like Ctrl-C / SIGINT, after step 3 and before any later checkpoint

    with pytest.raises(KeyboardInterrupt):
        train(config, tmp_path / "killed", progress=False, on_step=kill_at_3)
    assert json.loads((tmp_path / "killed" / "last" / "checkpoint.json").read_text())["step"] == 2
    resumed = train(config, tmp_path / "killed", resume=True, progress=False)

    assert resumed.steps == 4
    a, b = _weights(whole.last_dir), _weights(resumed.last_dir)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    if preset == "pix2pix":
        a, b = (_weights(r.last_dir / "discriminator") for r in (whole, resumed))
        assert all(torch.equal(a[k], b[k]) for k in a)
    # metrics: rows the killed run wrote after its checkpoint are replaced, not duplicated
    steps = [r["step"] for r in csv.DictReader((tmp_path / "killed" / "metrics.csv").open())]
    assert steps == ["1", "2", "3", "4"]
    assert resumed.best_f1 == pytest.approx(whole.best_f1)


def test_bf16_autocast_and_channels_last_train_and_save_float32(pairs, tmp_path, tiny) -> None:
    convs: list[tuple[torch.dtype, bool]] = []  # (output dtype, weight channels-last) of each conv forward

    def record(module: torch.nn.Module, args: object, output: torch.Tensor) -> None:
        if isinstance(module, torch.nn.Conv2d) and module.training:
            convs.append((output.dtype, module.weight.is_contiguous(memory_format=torch.channels_last)))

    config = get_preset("wo-attn", **tiny(pairs, amp="bf16", channels_last=True, val=None))
    handle = torch.nn.modules.module.register_module_forward_hook(record)
    try:
        result = train(config, tmp_path / "run", progress=False)
    finally:
        handle.remove()
    assert convs and set(convs) == {(torch.bfloat16, True)}  # every training conv ran in bf16, channels-last
    assert all(0 < r["loss"] < float("inf") for r in result.history)
    assert all(t.dtype in (torch.float32, torch.int64) for t in _weights(result.last_dir).values())


def test_resume_can_extend_the_run(pairs, tmp_path, tiny) -> None:
    config = get_preset("dice", **tiny(pairs, val=None))
    train(config, tmp_path / "run", progress=False)
    result = train(
        get_preset("dice", **tiny(pairs, val=None, steps=3)), tmp_path / "run", resume=True, progress=False
    )
    assert result.steps == 3
    assert json.loads((tmp_path / "run" / "config.json").read_text())["steps"] == 3


def test_non_finite_loss_stops_and_keeps_the_last_good_checkpoint(pairs, tmp_path, monkeypatch, tiny) -> None:
    real_forward = Objective.forward
    calls = {"n": 0}

    def nan_at_step_3(self, pred, ink, rgb):
        calls["n"] += 1
        loss = real_forward(self, pred, ink, rgb)
        return loss * float("nan") if calls["n"] == 3 else loss

    monkeypatch.setattr(Objective, "forward", nan_at_step_3)
    run = tmp_path / "run"
    config = get_preset("ours", **tiny(pairs, steps=5, ckpt_every=2))
    saved: dict[str, torch.Tensor] = {}
    with pytest.raises(NonFiniteLossError) as err:
        train(
            config,
            run,
            progress=False,
            on_step=lambda s, m: (
                saved.update({k: v.clone() for k, v in m.state_dict().items()}) if s == 2 else None
            ),
        )
    message = str(err.value)
    assert (
        "step 3: loss is nan (not finite)" in message
        and "(step 2)" in message
        and str(run / "last") in message
    )
    assert isinstance(err.value, ValueError)
    assert json.loads((run / "last" / "checkpoint.json").read_text())["step"] == 2
    last = _weights(run / "last")
    assert all(torch.equal(last[k], saved[k]) for k in last)  # the state of step 2, untouched
    assert "NonFiniteLossError" in (run / "train.log").read_text()


def test_an_existing_run_is_not_overwritten(pairs, tmp_path, tiny) -> None:
    config = get_preset("dice", **tiny(pairs, val=None, steps=1))
    train(config, tmp_path / "run", progress=False)
    with pytest.raises(TrainingError, match="already holds a run; continue it with --resume"):
        train(config, tmp_path / "run", progress=False)
    with pytest.raises(TrainingError, match="nothing to resume"):
        train(config, tmp_path / "empty", resume=True, progress=False)
    with pytest.raises(TrainingError, match="cannot resume with a different 'crop'"):
        train(
            get_preset("dice", **tiny(pairs, val=None, crop=48)),
            tmp_path / "run",
            resume=True,
            progress=False,
        )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"data": ["/no/such/folder"]},
            "bad data spec '/no/such/folder': folder '/no/such/folder' does not exist",
        ),
        ({"data": ["synth:sizee=3"]}, "unknown key 'sizee'"),
        ({"data": []}, "data: no training data given"),
        ({"loss_params.nope": 1}, "unknown parameter 'nope'"),
        ({"model_config.nope": 1}, "unknown config field 'nope'"),
    ],
)
def test_bad_configs_fail_before_training(overrides: dict, message: str, pairs, tmp_path, tiny) -> None:
    config = get_preset("ours", **tiny(pairs, **overrides))
    with pytest.raises(ValueError) as err:
        train(config, tmp_path / "run", progress=False)
    assert message in str(err.value)
    assert not (tmp_path / "run" / "last").exists()
