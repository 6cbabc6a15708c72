"""save_pretrained / from_pretrained: file layout, path forms, and clear errors."""

from __future__ import annotations

import json

import pytest
import torch

import senga
from senga.models import (
    PretrainedError,
    bundled_model_dir,
    create_model,
    from_pretrained,
    save_pretrained,
)


@pytest.fixture
def saved(tmp_path):
    model = create_model("senga-noattn", morph_input=False, decoder_kernel=3)
    save_pretrained(model, tmp_path / "model")
    return tmp_path / "model"


def test_folder_layout_and_config_json(saved) -> None:
    assert sorted(p.name for p in saved.iterdir()) == ["config.json", "model.safetensors"]
    meta = json.loads((saved / "config.json").read_text())
    assert meta["name"] == "senga-noattn"
    assert meta["format"] == 1 and meta["senga_version"] == senga.__version__
    assert meta["config"]["attention"] is False and "name" not in meta["config"]


@pytest.mark.parametrize("which", ["", "config.json", "model.safetensors"])
def test_accepts_folder_or_a_file_inside_it(saved, which) -> None:
    model = from_pretrained(saved / which if which else str(saved))
    assert model.config.name == "senga-noattn" and not model.training


def test_overwrite_replaces_files_and_leaves_no_temporaries(saved) -> None:
    model = create_model("senga")
    save_pretrained(model, saved)
    assert sorted(p.name for p in saved.iterdir()) == ["config.json", "model.safetensors"]
    assert from_pretrained(saved).config.name == "senga"


def test_missing_folder(tmp_path) -> None:
    with pytest.raises(PretrainedError, match=r"nope: no such model folder"):
        from_pretrained(tmp_path / "nope")


@pytest.mark.parametrize("gone", ["config.json", "model.safetensors"])
def test_missing_file(saved, gone) -> None:
    (saved / gone).unlink()
    with pytest.raises(PretrainedError, match=rf"{gone}: missing"):
        from_pretrained(saved)


def test_corrupt_json(saved) -> None:
    (saved / "config.json").write_text("{not json")
    with pytest.raises(PretrainedError, match=r"config.json: unreadable JSON"):
        from_pretrained(saved)


def test_config_with_unknown_field(saved) -> None:
    meta = json.loads((saved / "config.json").read_text())
    meta["config"]["depth"] = 5
    (saved / "config.json").write_text(json.dumps(meta))
    with pytest.raises(PretrainedError, match=r"config.json: .*unknown config field 'depth'"):
        from_pretrained(saved)


def test_corrupt_weights(saved) -> None:
    (saved / "model.safetensors").write_bytes(b"garbage" * 10)
    with pytest.raises(PretrainedError, match=r"model.safetensors: unreadable safetensors"):
        from_pretrained(saved)


def test_weights_not_matching_config(saved) -> None:
    meta = json.loads((saved / "config.json").read_text())
    meta["config"]["attention"] = True  # config now wants attention weights the file lacks
    (saved / "config.json").write_text(json.dumps(meta))
    with pytest.raises(PretrainedError, match=r"do not match .senga-noattn. config; missing: attention"):
        from_pretrained(saved)


def test_wrong_shapes_are_named(saved) -> None:
    meta = json.loads((saved / "config.json").read_text())
    meta["config"]["decoder_kernel"] = 5
    (saved / "config.json").write_text(json.dumps(meta))
    with pytest.raises(PretrainedError, match=r"wrong shape: decoder\.0\.conv\.1\.weight"):
        from_pretrained(saved)


def test_bundled_model_dir_and_clear_error_when_absent(tmp_path, monkeypatch) -> None:
    assert bundled_model_dir() == bundled_model_dir().parents[1] / "weights" / "default"
    assert bundled_model_dir().parents[1] == __import__("pathlib").Path(senga.__file__).parent
    monkeypatch.setattr("senga.weights.bundled_model_dir", lambda name="default": tmp_path / "absent" / name)
    missing = r"absent/default: the bundled model 'default' is not installed \(no model.safetensors\)"
    with pytest.raises(ValueError, match=missing):
        from_pretrained(None)
    with pytest.raises(ValueError, match=r"absent/fast: the bundled model 'fast' is not installed"):
        from_pretrained("fast")


def test_model_without_config_cannot_be_saved(tmp_path) -> None:
    with pytest.raises(ValueError, match=r"Linear has no dataclass \.config"):
        save_pretrained(torch.nn.Linear(2, 2), tmp_path)
