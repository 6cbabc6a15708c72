"""Checkpoints: pickle-free state round trip, RNG restore, atomic folder swap, crash recovery."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import torch

from senga.models import create_model, from_pretrained
from senga.train import checkpoint as ckpt


def _adam_state() -> tuple[torch.nn.Module, torch.optim.Optimizer]:
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.5, 0.999))
    for _ in range(2):
        opt.zero_grad()
        model(torch.randn(4, 3)).square().sum().backward()
        opt.step()
    return model, opt


def test_split_join_round_trip_of_an_optimizer_state() -> None:
    _, opt = _adam_state()
    sd = opt.state_dict()
    data, tensors = ckpt.split_tensors({"opt": sd, "arr": np.arange(3, dtype=np.uint32), "t": (1, None)})
    json.dumps(data)  # JSON only, no pickle
    assert set(tensors) == {f"opt.state.{i}.{k}" for i in (0, 1) for k in ("step", "exp_avg", "exp_avg_sq")}
    back = ckpt.join_tensors(json.loads(json.dumps(data)), tensors)
    assert back["t"] == (1, None) and back["arr"].dtype == np.uint32
    assert back["opt"]["param_groups"] == sd["param_groups"]  # betas come back as a tuple
    for i, state in sd["state"].items():
        for k, v in state.items():
            assert torch.equal(back["opt"]["state"][i][k], v)


def test_optimizer_state_survives_the_files(tmp_path) -> None:
    _, opt = _adam_state()
    ckpt.write_training_state(tmp_path, {"optimizers": {"g": opt.state_dict()}, "step": 2})
    state = ckpt.read_training_state(tmp_path)
    assert state["step"] == 2
    _, fresh = _adam_state()
    fresh.load_state_dict(state["optimizers"]["g"])
    assert fresh.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    assert torch.equal(fresh.state_dict()["state"][0]["exp_avg"], opt.state_dict()["state"][0]["exp_avg"])


def test_rng_restore_repeats_the_same_draws(tmp_path) -> None:
    torch.manual_seed(1), np.random.seed(1), random.seed(1)
    ckpt.write_training_state(tmp_path, {"rng": ckpt.capture_rng()})
    first = (torch.rand(3), np.random.rand(3), [random.random() for _ in range(3)])
    ckpt.restore_rng(ckpt.read_training_state(tmp_path)["rng"])
    second = (torch.rand(3), np.random.rand(3), [random.random() for _ in range(3)])
    assert torch.equal(first[0], second[0]) and np.array_equal(first[1], second[1]) and first[2] == second[2]


def test_missing_state_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ckpt.CheckpointError, match="no training state"):
        ckpt.read_training_state(tmp_path)


def _model(seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    return create_model("senga-noattn")


def test_checkpoint_folder_is_loadable_and_replaced(tmp_path) -> None:
    a, b = _model(0), _model(1)
    ckpt.write_checkpoint(tmp_path, "last", a, {"step": 1})
    ckpt.write_checkpoint(tmp_path, "last", b, {"step": 2})
    loaded = from_pretrained(tmp_path / "last")
    assert all(torch.equal(loaded.state_dict()[k], v) for k, v in b.state_dict().items())
    assert json.loads((tmp_path / "last" / ckpt.INFO_JSON).read_text())["step"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last"]  # no staging/old leftovers


def test_a_crash_while_writing_keeps_the_previous_checkpoint(tmp_path, monkeypatch) -> None:
    a = _model(0)
    ckpt.write_checkpoint(tmp_path, "last", a, {"step": 1}, state={"step": 1})

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(ckpt, "write_training_state", crash)
    with pytest.raises(OSError, match="disk full"):
        ckpt.write_checkpoint(tmp_path, "last", _model(1), {"step": 2}, state={"step": 2})
    loaded = from_pretrained(tmp_path / "last")
    assert all(torch.equal(loaded.state_dict()[k], v) for k, v in a.state_dict().items())
    assert ckpt.read_training_state(tmp_path / "last")["step"] == 1
    assert ckpt.recover_checkpoint(tmp_path, "last") == tmp_path / "last"
    assert not (tmp_path / ".last.staging").exists()  # the partial folder is cleaned up


def test_recover_finishes_an_interrupted_swap(tmp_path) -> None:
    ckpt.write_checkpoint(tmp_path, "last", _model(0), {"step": 1})
    ckpt.write_checkpoint(tmp_path, ".last.staging_src", _model(1), {"step": 2})
    # crash between the two renames: last/ moved to .last.old, the complete staging folder not yet in place
    (tmp_path / "last").rename(tmp_path / ".last.old")
    (tmp_path / ".last.staging_src").rename(tmp_path / ".last.staging")
    assert ckpt.recover_checkpoint(tmp_path, "last") == tmp_path / "last"
    assert json.loads((tmp_path / "last" / ckpt.INFO_JSON).read_text())["step"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last"]
    # incomplete staging (no checkpoint.json) -> the old one comes back
    (tmp_path / "last").rename(tmp_path / ".last.old")
    (tmp_path / ".last.staging").mkdir()
    assert ckpt.recover_checkpoint(tmp_path, "last") == tmp_path / "last"
    assert json.loads((tmp_path / "last" / ckpt.INFO_JSON).read_text())["step"] == 2
