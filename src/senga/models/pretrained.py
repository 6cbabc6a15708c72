"""Save and load models as ``model.safetensors`` + ``config.json`` in one folder (never pickle).

``config.json``::

    {"name": "senga", "config": {...fields but name...}, "senga_version": "0.1.0", "format": 1,
     "weights_sha256": "<hex SHA-256 of model.safetensors>"}

``weights_sha256`` is written by :func:`save_pretrained` and checked by
:func:`from_pretrained` (a damaged or swapped weights file is refused with a
message naming it); folders saved before it existed load without the check.

``from_pretrained`` rebuilds the model with ``create_model(name, **config)``
and loads the weights into it, so a folder needs nothing but these two files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors_bytes
from safetensors.torch import save_file
from torch import nn

from senga.errors import SengaError
from senga.io import atomic_write_path
from senga.models.config import model_config
from senga.models.registry import create_model
from senga.weights import bundled_model_dir, installed_model_dir

WEIGHTS_NAME = "model.safetensors"
CONFIG_NAME = "config.json"
FORMAT_VERSION = 1
#: config.json key holding the hex SHA-256 of ``model.safetensors``.
SHA256_KEY = "weights_sha256"

__all__ = [
    "CONFIG_NAME",
    "WEIGHTS_NAME",
    "PretrainedError",
    "bundled_model_dir",
    "from_pretrained",
    "save_pretrained",
]


class PretrainedError(SengaError):
    """A saved model folder cannot be used. ``str(err)`` is ``"PATH: problem"``."""


def save_pretrained(
    model: nn.Module, directory: str | os.PathLike[str], dtype: torch.dtype | None = None
) -> Path:
    """Write ``model`` to ``directory`` as ``model.safetensors`` + ``config.json``.

    Each file is written atomically (weights first, config last).

    Args:
        model: a registry model (has ``model.config`` with a registry ``name``).
        directory: target folder, created if missing; existing files are replaced.
        dtype: store floating tensors in this dtype (e.g. ``torch.float16`` halves
            the file); ``None`` keeps the model's dtype. Integer buffers keep theirs.

    Returns:
        The folder path.
    """
    try:
        config = model_config(model)
    except ValueError as err:
        raise ValueError(f"save_pretrained: {err}") from None
    from senga import __version__

    fields = dataclasses.asdict(config)
    name = fields.pop("name")
    tensors = {}
    for key, value in model.state_dict().items():
        value = value.detach().to("cpu")
        if dtype is not None and value.is_floating_point():
            value = value.to(dtype)
        tensors[key] = value.contiguous()
    meta = {"name": name, "config": fields, "senga_version": __version__, "format": FORMAT_VERSION}

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with atomic_write_path(directory / WEIGHTS_NAME) as tmp:
        save_file(tensors, str(tmp), metadata={"format": "pt", "senga_model": name})
        meta[SHA256_KEY] = hashlib.sha256(tmp.read_bytes()).hexdigest()
    with atomic_write_path(directory / CONFIG_NAME) as tmp:
        tmp.write_text(json.dumps(meta, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return directory


def _resolve_dir(model: str | os.PathLike[str] | None) -> Path:
    """The model folder ``model`` names (:func:`senga.weights.installed_model_dir`), checked."""
    path = installed_model_dir(model, WEIGHTS_NAME)
    if path.is_file():
        if path.name not in (WEIGHTS_NAME, CONFIG_NAME):
            raise PretrainedError(
                path, f"not a model file; expected a folder with {WEIGHTS_NAME} and {CONFIG_NAME}"
            )
        return path.parent
    if not path.exists():
        raise PretrainedError(path, "no such model folder")
    if not path.is_dir():
        raise PretrainedError(path, "not a folder")
    return path


def read_model_config(path: str | os.PathLike[str] | None) -> dict[str, Any]:
    """The parsed, checked ``config.json`` of a model folder (or of a bundled model by name, None: default)."""
    directory = _resolve_dir(path)
    cfg_path = directory / CONFIG_NAME
    if not cfg_path.is_file():
        raise PretrainedError(cfg_path, "missing")
    try:
        meta = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise PretrainedError(cfg_path, f"unreadable JSON ({err})") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
        raise PretrainedError(cfg_path, 'expected an object with a "name" string')
    if not isinstance(meta.get("config", {}), dict):
        raise PretrainedError(cfg_path, '"config" must be an object')
    fmt = meta.get("format", FORMAT_VERSION)
    if fmt != FORMAT_VERSION:
        raise PretrainedError(cfg_path, f"format {fmt!r} is not supported (expected {FORMAT_VERSION})")
    digest = meta.get(SHA256_KEY)
    if digest is not None and not (isinstance(digest, str) and len(digest) == 64):
        raise PretrainedError(cfg_path, f'"{SHA256_KEY}" must be a 64-character hex string')
    return meta


def from_pretrained(
    path: str | os.PathLike[str] | None = None,
    map_location: str | torch.device = "cpu",
    ink_floor: float | None = None,
) -> nn.Module:
    """Load a model saved by :func:`save_pretrained`, in eval mode.

    Args:
        path: the model folder, or its ``config.json`` / ``model.safetensors``;
            ``None`` / ``"default"`` / ``"fast"`` (or an alias) loads a bundled model
            (:func:`senga.weights.resolve_model_dir`).
        map_location: device to put the model on.
        ink_floor: replaces the saved config's ``ink_floor`` (eval-time output
            ink below it is paper; ``0`` keeps the faintest haze), ``None`` keeps it.

    Returns:
        The model (float32 parameters even if stored as float16), ``.eval()``.

    Raises:
        ModelNotInstalledError (a ValueError): a bundled model that is not installed.
        PretrainedError (a ValueError): missing folder or file, corrupt JSON or
            weights, weights whose SHA-256 differs from config.json's
            ``weights_sha256``, unknown model name or config field, weights
            that do not match the config (names which tensors differ).
    """
    directory = _resolve_dir(path)
    meta = read_model_config(directory)
    cfg_path = directory / CONFIG_NAME
    config = dict(meta.get("config", {}))
    if ink_floor is not None:
        config["ink_floor"] = ink_floor
    try:
        model = create_model(meta["name"], **config)
    except (TypeError, ValueError) as err:
        raise PretrainedError(cfg_path, str(err)) from None

    weights_path = directory / WEIGHTS_NAME
    if not weights_path.is_file():
        raise PretrainedError(weights_path, "missing")
    try:
        data = weights_path.read_bytes()
    except OSError as err:
        raise PretrainedError(weights_path, f"cannot read ({err.strerror or err})") from None
    try:
        tensors = load_safetensors_bytes(data)
    except (SafetensorError, OSError, RuntimeError, ValueError) as err:
        raise PretrainedError(weights_path, f"unreadable safetensors file ({err})") from None
    expected_sha = meta.get(SHA256_KEY)
    if expected_sha is not None:
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected_sha.lower():
            raise PretrainedError(
                weights_path,
                f"SHA-256 {actual[:12]}... differs from {expected_sha[:12]}... recorded in {CONFIG_NAME}: "
                "the file is damaged or was changed after saving; restore it or save the model again",
            )
    del data

    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    wrong = sorted(k for k in set(expected) & set(tensors) if tensors[k].shape != expected[k].shape)
    if missing or unexpected or wrong:
        parts = []
        problems = (("missing", missing), ("unexpected", unexpected), ("wrong shape", wrong))
        for label, keys in problems:
            if keys:
                more = f" (+{len(keys) - 3} more)" if len(keys) > 3 else ""
                parts.append(f"{label}: {', '.join(keys[:3])}{more}")
        raise PretrainedError(
            weights_path, f"weights do not match {meta['name']!r} config; {'; '.join(parts)}"
        )
    state = {k: v.to(expected[k].dtype) for k, v in tensors.items()}
    model.load_state_dict(state, strict=True)
    return model.to(map_location).eval()
