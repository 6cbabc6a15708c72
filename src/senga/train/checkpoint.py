"""Checkpoints: model folders plus the training state, written atomically, no pickle.

A checkpoint is a folder that :func:`senga.models.from_pretrained` (and
``senga extract --model``) loads directly::

    RUN/last/  config.json, model.safetensors       the generator (save_pretrained)
               discriminator/                         pix2pix only: the discriminator
               training_state.safetensors             every tensor of the training state
               training_state.json                    everything else (step, RNG, optimizer structure)
               checkpoint.json                        {"step", "scores"}: written last
    RUN/best/  config.json, model.safetensors, checkpoint.json

The training state (optimizer and RNG states, step, data position, best F1) is a
tree of dicts/lists/scalars/tensors. :func:`split_tensors` moves every tensor
into a flat ``{key: tensor}`` dict for safetensors and leaves JSON behind with
``{"__tensor__": key}`` references; :func:`join_tensors` reverses it exactly.

Atomicity: a checkpoint is written into ``RUN/.NAME.staging/``, then swapped in
with two renames (``NAME -> .NAME.old``, ``.NAME.staging -> NAME``). A crash at
any point leaves either the previous or the new complete checkpoint;
:func:`recover_checkpoint` finishes an interrupted swap. Every file is fsynced
before its rename and the run folder after the swap. A write that fails (disk
full, read-only disk) removes the staging folder, keeps the previous
checkpoint and raises an ``OSError`` naming the checkpoint folder.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from senga.io import atomic_write_path
from senga.io.atomic import fsync_dir
from senga.models import from_pretrained, save_pretrained

STATE_TENSORS = "training_state.safetensors"
STATE_JSON = "training_state.json"
INFO_JSON = "checkpoint.json"
DISCRIMINATOR_DIR = "discriminator"
STATE_FORMAT = 1


class CheckpointError(ValueError):
    """A checkpoint folder is missing or unusable; the message names the folder."""


# --------------------------------------------------------------------------- tree <-> (json, tensors)
def split_tensors(tree: Any, prefix: str = "") -> tuple[Any, dict[str, torch.Tensor]]:
    """Split a nested state into JSON-able data and a flat tensor dict.

    Tensors become ``{"__tensor__": key}`` (copied to CPU, contiguous), numpy
    arrays ``{"__ndarray__": list, "dtype": str}``, tuples ``{"__tuple__": [...]}``
    and dicts with non-string keys ``{"__items__": [[key, value], ...]}``.
    """
    tensors: dict[str, torch.Tensor] = {}

    def walk(obj: Any, path: str) -> Any:
        if isinstance(obj, torch.Tensor):
            tensors[path] = obj.detach().to("cpu").contiguous().clone()
            return {"__tensor__": path}
        if isinstance(obj, np.ndarray):
            return {"__ndarray__": obj.tolist(), "dtype": str(obj.dtype)}
        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, Mapping):
            if all(isinstance(k, str) for k in obj):
                return {k: walk(v, f"{path}.{k}" if path else k) for k, v in obj.items()}
            return {"__items__": [[k, walk(v, f"{path}.{k}")] for k, v in obj.items()]}
        if isinstance(obj, tuple):
            return {"__tuple__": [walk(v, f"{path}.{i}") for i, v in enumerate(obj)]}
        if isinstance(obj, list):
            return [walk(v, f"{path}.{i}") for i, v in enumerate(obj)]
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return obj
        raise TypeError(f"{path}: cannot store a {type(obj).__name__} in a checkpoint")

    return walk(tree, prefix), tensors


def join_tensors(data: Any, tensors: Mapping[str, torch.Tensor]) -> Any:
    """Inverse of :func:`split_tensors`."""
    if isinstance(data, dict):
        if "__tensor__" in data:
            return tensors[data["__tensor__"]]
        if "__ndarray__" in data:
            return np.asarray(data["__ndarray__"], dtype=data["dtype"])
        if "__tuple__" in data:
            return tuple(join_tensors(v, tensors) for v in data["__tuple__"])
        if "__items__" in data:
            return {k: join_tensors(v, tensors) for k, v in data["__items__"]}
        return {k: join_tensors(v, tensors) for k, v in data.items()}
    if isinstance(data, list):
        return [join_tensors(v, tensors) for v in data]
    return data


# --------------------------------------------------------------------------- RNG
def capture_rng() -> dict[str, Any]:
    """The global RNG states of torch (CPU and CUDA), numpy and Python's ``random``."""
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": np.random.get_state(legacy=False),
        "python": random.getstate(),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: Mapping[str, Any]) -> None:
    """Set the global RNGs from :func:`capture_rng`'s output (after a JSON round trip)."""
    torch.set_rng_state(state["torch"])
    np_state = dict(state["numpy"])
    np_state["state"] = {
        "key": np.asarray(np_state["state"]["key"], dtype=np.uint32),
        "pos": int(np_state["state"]["pos"]),
    }
    np.random.set_state(np_state)
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    if "cuda" in state and torch.cuda.is_available():
        cuda_states = list(state["cuda"])[: torch.cuda.device_count()]
        torch.cuda.set_rng_state_all(cuda_states)


# --------------------------------------------------------------------------- folders
def _unwrap(model: nn.Module) -> nn.Module:
    return model.module if hasattr(model, "module") and isinstance(model.module, nn.Module) else model


def _write_json(path: Path, data: Any) -> None:
    with atomic_write_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def recover_checkpoint(run_dir: str | os.PathLike[str], name: str) -> Path | None:
    """Finish a swap that a crash interrupted; the folder ``RUN/NAME`` or None when there is none.

    A staging folder counts only when complete (its ``checkpoint.json`` is
    written last); an incomplete one is deleted.
    """
    run_dir = Path(run_dir)
    final, staging, old = run_dir / name, run_dir / f".{name}.staging", run_dir / f".{name}.old"
    if not final.exists():
        if (staging / INFO_JSON).is_file():
            os.replace(staging, final)
        elif old.exists():
            os.replace(old, final)
    for leftover in (staging, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    return final if final.exists() else None


def write_checkpoint(
    run_dir: str | os.PathLike[str],
    name: str,
    generator: nn.Module,
    info: Mapping[str, Any],
    state: Mapping[str, Any] | None = None,
    discriminator: nn.Module | None = None,
) -> Path:
    """Write ``RUN/NAME/`` atomically and return it.

    Args:
        run_dir: the run folder.
        name: ``"last"`` or ``"best"``.
        generator: saved with :func:`senga.models.save_pretrained` (float32).
        info: small JSON metadata (``step``, validation ``scores``) -> ``checkpoint.json``.
        state: the training state tree (see :func:`split_tensors`); None for model-only folders.
        discriminator: pix2pix only; saved under ``discriminator/``.
    """
    run_dir = Path(run_dir)
    recover_checkpoint(run_dir, name)
    final, staging, old = run_dir / name, run_dir / f".{name}.staging", run_dir / f".{name}.old"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        staging.mkdir(parents=True)
        save_pretrained(_unwrap(generator), staging)
        if discriminator is not None:
            save_pretrained(_unwrap(discriminator), staging / DISCRIMINATOR_DIR)
        if state is not None:
            write_training_state(staging, state)
        _write_json(staging / INFO_JSON, dict(info))  # last: marks the staging folder complete
    except (OSError, SafetensorError) as err:  # disk full, read-only disk, ...
        shutil.rmtree(staging, ignore_errors=True)
        code = err.errno if isinstance(err, OSError) else None
        what = err.strerror if isinstance(err, OSError) and err.strerror else str(err).strip()
        kept = "the previous checkpoint is kept" if final.exists() else "there is no earlier checkpoint"
        raise OSError(code, f"{what}; checkpoint not written, {kept}", str(final)) from err
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    fsync_dir(run_dir)
    if old.exists():
        shutil.rmtree(old)
    return final


def write_training_state(folder: str | os.PathLike[str], state: Mapping[str, Any]) -> None:
    """``training_state.safetensors`` (tensors) + ``training_state.json`` (the rest)."""
    folder = Path(folder)
    data, tensors = split_tensors(dict(state))
    with atomic_write_path(folder / STATE_TENSORS) as tmp:
        save_file(tensors, str(tmp))
    _write_json(folder / STATE_JSON, {"format": STATE_FORMAT, "state": data})


def read_training_state(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """Read what :func:`write_training_state` wrote.

    Raises:
        CheckpointError: the files are missing, damaged (e.g. truncated) or of an unknown format.
    """
    folder = Path(folder)
    json_path, tensor_path = folder / STATE_JSON, folder / STATE_TENSORS
    if not json_path.is_file() or not tensor_path.is_file():
        raise CheckpointError(f"{folder}: no training state ({STATE_JSON} + {STATE_TENSORS}) to resume from")
    try:
        meta = json.loads(json_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise CheckpointError(f"{json_path}: not valid JSON ({err.msg})") from None
    except UnicodeDecodeError:
        raise CheckpointError(f"{json_path}: not valid JSON (not UTF-8 text)") from None
    if not isinstance(meta, dict) or meta.get("format") != STATE_FORMAT:
        raise CheckpointError(f"{json_path}: unknown training state format {meta.get('format')!r}")
    try:
        tensors = load_file(str(tensor_path))
    except Exception as err:  # noqa: BLE001 - SafetensorError for a truncated / damaged file, OSError to read it
        raise CheckpointError(
            f"{tensor_path}: damaged training state ({type(err).__name__}: {str(err).strip() or 'unreadable'}); "
            "this checkpoint cannot be resumed: restore the file, or start a new run "
            f"(--init {folder} keeps its weights)"
        ) from None
    try:
        return join_tensors(meta["state"], tensors)
    except (KeyError, TypeError, ValueError) as err:
        raise CheckpointError(f"{json_path}: does not match {STATE_TENSORS} ({err!r})") from None


def load_weights_into(model: nn.Module, folder: str | os.PathLike[str]) -> None:
    """Copy the weights saved in ``folder`` (a save_pretrained folder) into ``model``, strictly."""
    saved = from_pretrained(folder)
    _unwrap(model).load_state_dict(saved.state_dict(), strict=True)
