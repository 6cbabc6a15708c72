"""The loader's model input: a dropdown of the bundled models and the folders in ComfyUI/models/senga/."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from senga.integrations.comfyui.nodes import SengaLoadModel
from senga.integrations.comfyui.runtime import FOLDER_TYPE
from senga.models.pretrained import CONFIG_NAME, WEIGHTS_NAME
from senga.weights import available_bundled_models


def _model_folder(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / WEIGHTS_NAME).write_bytes(b"")
    (path / CONFIG_NAME).write_text("{}")
    return path


def _fake_folder_paths(
    monkeypatch: pytest.MonkeyPatch, models_dir: Path, with_add: bool = True
) -> types.ModuleType:
    """ComfyUI's ``folder_paths``: ``models_dir``, ``folder_names_and_paths`` and (optionally) its adder."""
    fp = types.ModuleType("folder_paths")
    fp.models_dir = str(models_dir)
    fp.folder_names_and_paths = {"checkpoints": ([str(models_dir / "checkpoints")], {".safetensors"})}
    if with_add:

        def add_model_folder_path(folder_name: str, full_folder_path: str, is_default: bool = False) -> None:
            paths = fp.folder_names_and_paths.setdefault(folder_name, ([], set()))[0]
            if full_folder_path not in paths:
                paths.insert(0, full_folder_path) if is_default else paths.append(full_folder_path)

        fp.add_model_folder_path = add_model_folder_path
    monkeypatch.setitem(sys.modules, "folder_paths", fp)
    return fp


def _choices() -> tuple[list[str], dict]:
    kind, options = SengaLoadModel.INPUT_TYPES()["required"]["model"]
    assert isinstance(kind, list), "the model input must be a dropdown (a list of choices)"
    return kind, options


@pytest.mark.parametrize("with_add", [True, False], ids=["add_model_folder_path", "folder_names_and_paths"])
def test_dropdown_lists_bundled_models_then_the_model_folders(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, with_add: bool
) -> None:
    models = tmp_path / "ComfyUI" / "models"
    fp = _fake_folder_paths(monkeypatch, models, with_add)
    _model_folder(models / FOLDER_TYPE / "mine")
    _model_folder(models / FOLDER_TYPE / "runs" / "ft" / "best")
    (models / FOLDER_TYPE / "not-a-model").mkdir()
    _model_folder(models / FOLDER_TYPE / ".hidden")
    extra = _model_folder(tmp_path / "elsewhere" / "shared")  # extra_model_paths.yaml: senga: .../elsewhere
    fp.folder_names_and_paths[FOLDER_TYPE] = ([str(tmp_path / "elsewhere")], set())

    choices, options = _choices()
    bundled = available_bundled_models()
    assert choices == [*bundled, "mine", "runs/ft/best", str(extra)]
    assert options["default"] == "default" == choices[0]
    registered = fp.folder_names_and_paths[FOLDER_TYPE][0]
    assert str(models / FOLDER_TYPE) in registered and str(tmp_path / "elsewhere") in registered
    _choices()  # asked again (every page refresh): registered once
    assert fp.folder_names_and_paths[FOLDER_TYPE][0].count(str(models / FOLDER_TYPE)) == 1


def test_the_senga_folder_is_created_and_registered_when_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    models = tmp_path / "ComfyUI" / "models"
    fp = _fake_folder_paths(monkeypatch, models)
    assert _choices()[0] == available_bundled_models()
    assert (models / FOLDER_TYPE).is_dir()
    assert fp.folder_names_and_paths[FOLDER_TYPE][0] == [str(models / FOLDER_TYPE)]


def test_without_comfyui_the_dropdown_holds_the_bundled_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "folder_paths", None)  # import folder_paths raises ImportError
    choices, options = _choices()
    assert choices == available_bundled_models() and options["default"] in choices


def test_a_listed_folder_name_resolves_to_that_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from senga.integrations.comfyui.models import model_folder

    models = tmp_path / "ComfyUI" / "models"
    _fake_folder_paths(monkeypatch, models)
    folder = _model_folder(models / FOLDER_TYPE / "runs" / "ft" / "best")
    monkeypatch.chdir(tmp_path)
    name = _choices()[0][-1]
    assert model_folder(name) == folder.resolve()


def test_older_workflows_names_still_validate(tmp_path: Path) -> None:
    # "bundled" (the alias older workflows saved) and a folder path given in full pass ComfyUI's check
    assert SengaLoadModel.VALIDATE_INPUTS("bundled") is True
    assert SengaLoadModel.VALIDATE_INPUTS("default") is True
    run = tmp_path / "run"
    run.mkdir()
    (run / WEIGHTS_NAME).write_bytes(b"x")
    assert SengaLoadModel.VALIDATE_INPUTS(str(run)) is True
    problem = SengaLoadModel.VALIDATE_INPUTS(str(tmp_path / "nope"))
    assert isinstance(problem, str) and "not a senga model" in problem
