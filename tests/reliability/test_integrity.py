"""Model files carry a SHA-256 of their weights; a damaged file is refused with a clear error."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from images import write_png
from reliability_helpers import run_cli
from safetensors.torch import load_file

from senga.models import create_model, from_pretrained, save_pretrained
from senga.models.pretrained import SHA256_KEY, PretrainedError


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    return save_pretrained(create_model("senga-noattn"), tmp_path / "model")


def _flip_bytes(path: Path, n: int = 100) -> None:
    data = bytearray(path.read_bytes())
    header = 8 + int.from_bytes(data[:8], "little")  # only tensor data: the file still parses
    rng = np.random.default_rng(0)
    for i in rng.choice(np.arange(header, len(data)), n, replace=False):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _assert_holds_the_file(model: torch.nn.Module, folder: Path) -> None:
    """``model``'s weights are exactly the tensors stored in ``folder/model.safetensors``."""
    stored = load_file(folder / "model.safetensors")
    state = model.state_dict()
    assert state.keys() == stored.keys()
    for name, value in stored.items():
        assert torch.equal(state[name], value.to(state[name].dtype)), name


def test_save_records_the_hash_and_load_checks_it(saved: Path) -> None:
    import hashlib

    meta = json.loads((saved / "config.json").read_text())
    assert meta[SHA256_KEY] == hashlib.sha256((saved / "model.safetensors").read_bytes()).hexdigest()
    _assert_holds_the_file(from_pretrained(saved), saved)  # intact: loads
    meta[SHA256_KEY] = "0" * 64  # intact weights, another recorded hash: refused, so the hash is checked
    (saved / "config.json").write_text(json.dumps(meta))
    with pytest.raises(PretrainedError, match=r"SHA-256 [0-9a-f]{12}\.\.\. differs from 000000000000\.\.\."):
        from_pretrained(saved)


def test_a_hundred_flipped_bytes_are_refused(saved: Path) -> None:
    _flip_bytes(saved / "model.safetensors")
    with pytest.raises(PretrainedError, match=r"model.safetensors: SHA-256 [0-9a-f]{12}\.\.\. differs from"):
        from_pretrained(saved)


def test_folders_saved_without_a_hash_still_load(saved: Path) -> None:
    meta = json.loads((saved / "config.json").read_text())
    del meta[SHA256_KEY]
    (saved / "config.json").write_text(json.dumps(meta))
    _flip_bytes(saved / "model.safetensors", n=4)  # undetectable without the hash, as before
    _assert_holds_the_file(from_pretrained(saved), saved)


def test_extract_with_a_damaged_model_is_one_line(saved: Path, tmp_path: Path, capsys) -> None:
    _flip_bytes(saved / "model.safetensors")
    src = write_png(tmp_path / "a.png")
    code, err = run_cli(["extract", str(src), "--model", str(saved), "--device", "cpu"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"senga: error: {saved / 'model.safetensors'}: SHA-256 ")
    assert not (tmp_path / "a_lines.png").exists()
