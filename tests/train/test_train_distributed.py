"""DDP: two CPU processes (Gloo) launched by torchrun train one model with identical weights."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from senga.train import get_preset
from senga.train.distributed import DistContext, launched_by_torchrun, resolve_device, setup

WORKER = Path(__file__).with_name("ddp_worker.py")


def test_single_process_without_torchrun(monkeypatch) -> None:
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    assert not launched_by_torchrun()
    assert setup("cpu") == DistContext(device=torch.device("cpu"))
    assert resolve_device("auto") == torch.device("cuda:0" if torch.cuda.is_available() else "cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA present: CUDA is asked for explicitly elsewhere")
def test_cuda_without_cuda_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="CUDA is not available"):
        resolve_device("cuda")


@pytest.mark.slow
def test_two_gloo_processes_end_with_identical_weights(pairs, tiny, tmp_path) -> None:
    config = get_preset("ours", **tiny(pairs, steps=2, val=None, sample_every=100))
    config.save(tmp_path / "config.json")
    (tmp_path / "out").mkdir()
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
        str(WORKER),
        str(tmp_path / "config.json"),
        str(tmp_path / "run"),
        str(tmp_path / "out"),
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]

    rank0, rank1 = (load_file(str(tmp_path / "out" / f"rank{r}.safetensors")) for r in (0, 1))
    params = [k for k in rank0 if "running" not in k and "num_batches" not in k]  # BN buffers stay per rank
    assert params and all(torch.equal(rank0[k], rank1[k]) for k in params)
    saved = load_file(str(tmp_path / "run" / "last" / "model.safetensors"))
    assert all(torch.equal(saved[k], rank0[k]) for k in params)  # rank 0 wrote the checkpoint
    rows = (tmp_path / "run" / "metrics.csv").read_text().splitlines()
    assert len(rows) == 3  # header + 2 steps, written once (by rank 0 only)


def test_ranks_draw_different_samples(pairs, tiny) -> None:
    from senga.train.data import load_training_data

    config = get_preset("ours", **tiny(pairs))
    first = [load_training_data(config, DistContext(rank=r, world_size=2)).mixed_set(2)[0][0] for r in (0, 1)]
    again = load_training_data(config, DistContext(rank=0, world_size=2)).mixed_set(2)[0][0]
    assert torch.equal(first[0], again) and not torch.equal(first[0], first[1])
