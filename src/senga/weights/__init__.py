"""The models shipped inside the package, and the one resolver of "which model folder".

Every front end (``senga extract/serve/export/train --init``, ``LineExtractor``,
ComfyUI, Ray) names a model the same way, and :func:`resolve_model_dir` is the only
place that turns such a name into a folder:

* ``None``, ``"default"`` (or its alias ``"bundled"``): ``senga/weights/default``,
  the bundled model;
* ``"fast"``: ``senga/weights/fast``, the bundled fast model (docs/results.md);
* anything else: a path to a saved model folder (or, where a front end allows it,
  a ``.onnx`` file), returned as given.

Each bundled folder holds ``model.safetensors`` + ``config.json`` (the torch
backend) and ``model.onnx`` (the onnxruntime backend). Finding them needs no torch.
A loader that needs one of these files asks :func:`installed_model_dir`, which
refuses a bundled model whose file is absent with one line naming the folder
(:class:`ModelNotInstalledError`).
"""

from __future__ import annotations

import os
from pathlib import Path

from senga.errors import SengaError

#: The bundled models, by the name the front ends accept, in the order they are listed.
BUNDLED_MODELS: tuple[str, ...] = ("default", "fast")

#: Other spellings accepted for a bundled model (the name each stands for).
ALIASES: dict[str, str] = {"bundled": "default", "": "default"}

_HERE = Path(__file__).resolve().parent

#: How a front end's help names the bundled models (``--model``, ``export``, ``train --init``, ComfyUI).
MODEL_NAMES_HELP = "'default' (the bundled model; alias 'bundled') or 'fast' (the bundled fast model)"


class ModelNotInstalledError(SengaError):
    """A bundled model's folder lacks the file a backend needs: ``"FOLDER: the bundled model ... is not installed"``."""


def bundled_name(model: str | os.PathLike[str] | None) -> str | None:
    """The bundled model's canonical name that ``model`` stands for, or None for a path.

    >>> bundled_name(None), bundled_name("bundled"), bundled_name("fast"), bundled_name("runs/x")
    ('default', 'default', 'fast', None)
    """
    if model is None:
        return "default"
    if isinstance(model, os.PathLike):
        return None
    name = ALIASES.get(model, model)
    return name if name in BUNDLED_MODELS else None


def bundled_model_dir(name: str = "default") -> Path:
    """Folder of the bundled model ``name`` (``"default"``, ``"fast"`` or an alias); it may be absent."""
    canonical = bundled_name(name)
    if canonical is None:
        raise ValueError(f"{name!r} is not a bundled model (bundled: {', '.join(BUNDLED_MODELS)})")
    return _HERE / canonical


def resolve_model_dir(model: str | os.PathLike[str] | None) -> Path:
    """The folder (or file) ``model`` names: a bundled model's folder, else ``Path(model)``.

    Nothing is checked here beyond the name; loaders report a missing or unusable
    folder with the path in the message (:func:`installed_model_dir` for a bundled one).
    """
    canonical = bundled_name(model)
    if canonical is not None:
        return bundled_model_dir(canonical)
    assert model is not None  # None is the bundled default, handled above
    return Path(model)


def installed_model_dir(
    model: str | os.PathLike[str] | None, needs: str, hint: str = "pass a model folder"
) -> Path:
    """:func:`resolve_model_dir`, and for a bundled model a check that it holds ``needs``.

    Args:
        model: a bundled name (or alias, or None) or a path.
        needs: the file the caller loads from the folder (``"model.safetensors"``,
            ``"model.onnx"``).
        hint: what the message tells the user to do instead.

    Raises:
        ModelNotInstalledError: a bundled model whose folder lacks ``needs``, e.g.
            ``".../weights/fast: the bundled model 'fast' is not installed (no model.safetensors)"``.
    """
    folder = resolve_model_dir(model)
    canonical = bundled_name(model)
    if canonical is not None and not (folder / needs).is_file():
        raise ModelNotInstalledError(
            folder, f"the bundled model {canonical!r} is not installed (no {needs}); {hint}"
        )
    return folder


def model_label(model: str | os.PathLike[str] | None) -> str:
    """How logs and health answers name ``model``: a bundled model's canonical name, else the path.

    >>> model_label(None), model_label("bundled"), model_label("runs/x/best")
    ('default', 'default', 'runs/x/best')
    """
    return bundled_name(model) or str(model)


def is_bundled(model: str | os.PathLike[str] | None) -> bool:
    """Whether ``model`` names a bundled model rather than a path."""
    return bundled_name(model) is not None


def available_bundled_models() -> list[str]:
    """The bundled models installed with this copy of senga (their folder holds weights or ONNX)."""
    return [
        name
        for name in BUNDLED_MODELS
        if (_HERE / name / "model.safetensors").is_file() or (_HERE / name / "model.onnx").is_file()
    ]
