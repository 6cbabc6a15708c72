"""Fine-tuning (``init``) and several validation sets (best/ by the worst set's F1)."""

from __future__ import annotations

import json

import pytest
import torch
from training import TINY_TRAIN_FLAGS

from senga.cli.main import main
from senga.models import create_model, from_pretrained, save_pretrained
from senga.train import TrainConfig, TrainingError, get_preset, train
from senga.train.steps import SupervisedStep


def _record_first_weights(monkeypatch: pytest.MonkeyPatch) -> dict[str, torch.Tensor]:
    """Patch SupervisedStep.step to copy the generator's state just before the first update."""
    seen: dict[str, torch.Tensor] = {}
    original = SupervisedStep.step

    def step(self, rgb, ink, guard):
        if not seen:
            seen.update({k: v.detach().clone() for k, v in self.generator.state_dict().items()})
        return original(self, rgb, ink, guard)

    monkeypatch.setattr(SupervisedStep, "step", step)
    return seen


def test_init_starts_from_exactly_the_given_weights(pairs, tmp_path, tiny, monkeypatch) -> None:
    torch.manual_seed(123)
    pretrained = create_model("senga")
    with torch.no_grad():
        for p in pretrained.parameters():
            p.add_(torch.randn_like(p))  # far from any fresh init
    save_pretrained(pretrained, tmp_path / "pre")
    seen = _record_first_weights(monkeypatch)
    train(get_preset("ours", **tiny(pairs, init=str(tmp_path / "pre"))), tmp_path / "run", progress=False)
    expected = pretrained.state_dict()
    assert seen.keys() == expected.keys()
    for name, value in expected.items():
        assert torch.equal(seen[name], value), name


def test_without_init_weights_are_fresh(pairs, tmp_path, tiny, monkeypatch) -> None:
    """No ``init``: the first update starts from the model's own init for the run's seed, not loaded weights."""
    config = get_preset("ours", **tiny(pairs, seed=5))
    torch.manual_seed(config.seed)
    fresh = create_model(config.model, **config.model_config).state_dict()
    bundled = from_pretrained("default").state_dict()
    seen = _record_first_weights(monkeypatch)
    train(config, tmp_path / "run", progress=False)
    assert seen.keys() == fresh.keys()
    for name, value in fresh.items():
        assert torch.equal(seen[name], value), name
    assert not any(
        torch.equal(seen[k], v) for k, v in bundled.items() if k.endswith(".weight") and v.numel() > 1
    )


def test_init_bundled_and_mismatched_model(pairs, tmp_path, tiny) -> None:
    result = train(get_preset("ours", **tiny(pairs, init="default")), tmp_path / "run", progress=False)
    assert result.steps == 2
    save_pretrained(create_model("senga-noattn"), tmp_path / "noattn")
    with pytest.raises(TrainingError, match="differs from the run's"):
        train(
            get_preset("ours", **tiny(pairs, init=str(tmp_path / "noattn"))),
            tmp_path / "run2",
            progress=False,
        )
    with pytest.raises(TrainingError, match="--init"):
        train(
            get_preset("ours", **tiny(pairs, init=str(tmp_path / "missing"))),
            tmp_path / "run3",
            progress=False,
        )


def test_cli_init_defaults_to_the_finetune_lr(pairs, tmp_path) -> None:
    from senga.cli.train import FINETUNE_LR

    common = [
        "train",
        "--data",
        str(pairs["train"]),
        "--steps",
        "1",
        *TINY_TRAIN_FLAGS,
        "-q",
    ]
    assert main([*common, "--init", "bundled", "--out", str(tmp_path / "a")]) == 0
    assert main([*common, "--init", "bundled", "--lr", "5e-5", "--out", str(tmp_path / "b")]) == 0
    saved = {k: json.loads((tmp_path / k / "config.json").read_text()) for k in ("a", "b")}
    assert (saved["a"]["init"], saved["a"]["lr"], saved["b"]["lr"]) == ("bundled", FINETUNE_LR, 5e-5)
    assert main(["train", "--resume", str(tmp_path / "a"), "--init", "bundled"]) != 0


def test_several_validation_sets_pick_best_by_the_worst(pairs, tmp_path, tiny) -> None:
    config = get_preset(
        "ours", **tiny(pairs, val=[str(pairs["val"]), str(pairs["train"])], steps=3, val_every=1)
    )
    assert TrainConfig.from_json(config.to_json()) == config
    result = train(config, tmp_path / "run", progress=False)
    info = json.loads((result.best_dir / "checkpoint.json").read_text())
    per_set = info["sets"]
    assert list(per_set) == [str(pairs["val"]), str(pairs["train"])]
    assert info["scores"]["F1"] == pytest.approx(min(s["F1"] for s in per_set.values()))
    assert result.best_f1 == pytest.approx(info["scores"]["F1"])


def test_init_adopts_the_pretrained_ink_floor_and_resume_keeps_it(pairs, tmp_path, tiny) -> None:
    """The floor is an eval-time output setting: --init takes it, saved models and --resume keep it."""
    save_pretrained(create_model("senga", ink_floor=0.25), tmp_path / "pre")
    config = get_preset("ours", **tiny(pairs, init=str(tmp_path / "pre"), val=str(pairs["val"]), val_every=1))
    result = train(config, tmp_path / "run", progress=False)
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert saved["model_config"]["ink_floor"] == 0.25
    for folder in (result.best_dir, result.last_dir):
        assert json.loads((folder / "config.json").read_text())["config"]["ink_floor"] == 0.25
    again = TrainConfig.load(tmp_path / "run" / "config.json")
    again.steps = 3
    resumed = train(again, tmp_path / "run", resume=True, progress=False)
    assert json.loads((resumed.last_dir / "config.json").read_text())["config"]["ink_floor"] == 0.25
