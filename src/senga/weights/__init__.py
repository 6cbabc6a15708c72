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
"""

from __future__ import annotations

import os
from pathlib import Path

#: The bundled models, by the name the front ends accept, in the order they are listed.
BUNDLED_MODELS: tuple[str, ...] = ("default", "fast")

#: Other spellings accepted for a bundled model (the name each stands for).
ALIASES: dict[str, str] = {"bundled": "default", "": "default"}

_HERE = Path(__file__).resolve().parent


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
    folder with the path in the message.
    """
    canonical = bundled_name(model)
    if canonical is not None:
        return _HERE / canonical
    return Path(model)  # type: ignore[arg-type]  # None was handled by bundled_name


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
