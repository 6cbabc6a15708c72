"""senga.weights: the one resolver of model names (no torch needed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import senga
from senga import weights
from senga.errors import SengaError


@pytest.mark.parametrize("name", [None, "default", "bundled", ""])
def test_default_and_its_aliases_name_the_bundled_folder(name: str | None) -> None:
    assert weights.resolve_model_dir(name) == Path(senga.__file__).parent / "weights" / "default"
    assert weights.is_bundled(name) and weights.bundled_name(name) == weights.model_label(name) == "default"


def test_fast_names_its_own_folder_and_paths_stay_paths(tmp_path: Path) -> None:
    assert weights.resolve_model_dir("fast") == Path(senga.__file__).parent / "weights" / "fast"
    assert weights.resolve_model_dir(tmp_path / "m") == tmp_path / "m"
    assert weights.resolve_model_dir("runs/x/best") == Path("runs/x/best")
    assert not weights.is_bundled("runs/x/best") and weights.model_label("runs/x/best") == "runs/x/best"
    assert not weights.is_bundled(Path("default"))  # a Path is a folder, even one called default


def test_a_missing_bundled_model_is_one_line_naming_the_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(weights, "bundled_model_dir", lambda name="default": tmp_path / name)
    with pytest.raises(weights.ModelNotInstalledError) as caught:
        weights.installed_model_dir("fast", "model.onnx")
    err = caught.value
    assert isinstance(err, SengaError) and isinstance(err, ValueError)
    assert str(err).startswith(
        f"{tmp_path / 'fast'}: the bundled model 'fast' is not installed (no model.onnx)"
    )
    assert "\n" not in str(err) and err.path == str(tmp_path / "fast")
    (tmp_path / "fast").mkdir()
    (tmp_path / "fast" / "model.onnx").write_bytes(b"")
    assert weights.installed_model_dir("fast", "model.onnx") == tmp_path / "fast"
    assert (
        weights.installed_model_dir(tmp_path / "elsewhere", "model.onnx") == tmp_path / "elsewhere"
    )  # not checked


def test_the_resolver_imports_no_torch() -> None:
    code = "import sys, senga.weights; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
