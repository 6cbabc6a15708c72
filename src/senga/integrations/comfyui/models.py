"""The model object the nodes pass around, loaded once per (folder, device) and kept.

ComfyUI re-runs a loader node whenever its inputs change or another workflow
is queued; the model stays in a process-wide cache keyed by the resolved
model folder and the device, so it is read from disk once. A folder whose
``model.safetensors`` or ``config.json`` changed on disk (a new checkpoint
written in place) is read again.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from senga.extract import LineExtractor
from senga.integrations.comfyui.runtime import comfy_models_dir, pick_device
from senga.models.pretrained import CONFIG_NAME, WEIGHTS_NAME
from senga.weights import bundled_name, resolve_model_dir

Stamp = tuple[tuple[int, int] | None, ...]


@dataclass(frozen=True, eq=False)
class SengaModel:
    """A loaded senga generator (``(N, 3, H, W)`` in [0, 1] -> ``(N, 1, H, W)`` ink), eval mode.

    Attributes:
        folder: the resolved model folder (the bundled one for ``"default"`` / ``"fast"``).
        device: where ``module`` lives.
        module: the network; shared by every node run that uses this object.
    """

    folder: Path
    device: torch.device
    module: nn.Module

    def __repr__(self) -> str:
        return f"SengaModel(folder={str(self.folder)!r}, device={str(self.device)!r})"


_cache: dict[tuple[str, str], tuple[Stamp, SengaModel]] = {}
_lock = threading.Lock()


def model_folder(model: str | os.PathLike[str]) -> Path:
    """The resolved model folder ``model`` names.

    A bundled model's name (``"default"``, alias ``"bundled"`` or empty; ``"fast"``:
    :mod:`senga.weights`) is its folder; a relative path that does not exist from the
    working directory is taken relative to ``ComfyUI/models/senga`` when running inside ComfyUI.
    """
    text = str(model).strip()
    if bundled_name(text) is not None:
        return resolve_model_dir(text)
    path = Path(text).expanduser()
    if not path.is_absolute() and not path.exists():
        base = comfy_models_dir()
        if base is not None:
            path = base / path
    return path.resolve()


def folder_stamp(folder: Path) -> Stamp:
    """``(mtime_ns, size)`` of the weights and config files (``None`` for a missing one)."""
    stamps: list[tuple[int, int] | None] = []
    for name in (WEIGHTS_NAME, CONFIG_NAME):
        try:
            st = (folder / name).stat()
        except OSError:
            stamps.append(None)
        else:
            stamps.append((st.st_mtime_ns, st.st_size))
    return tuple(stamps)


def load_model(model: str | os.PathLike[str] = "default", device: str = "auto") -> SengaModel:
    """The model in ``model`` (a folder, or a bundled name such as ``"default"``) on ``device``,
    from the cache when loaded before.

    ``device`` is ``"auto"`` (ComfyUI's device inside ComfyUI, else CUDA when
    available, else CPU), ``"cpu"``, ``"cuda"`` ...

    Raises:
        ValueError: an unusable folder (``"FOLDER: problem"``, from
            :func:`senga.models.from_pretrained`) or device.
    """
    folder = model_folder(model)
    dev = pick_device(device)
    key = (str(folder), str(dev))
    with _lock:  # one load at a time: two runs asking for one model share one copy
        stamp = folder_stamp(folder)
        hit = _cache.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        name = bundled_name(str(model).strip())  # a bundled name, so a missing one says "not installed"
        extractor = LineExtractor.from_pretrained(name or folder, device=dev)
        loaded = SengaModel(folder=folder, device=extractor.device, module=extractor.model)
        _cache[key] = (stamp, loaded)
        return loaded


def clear_cache() -> None:
    """Forget every loaded model (their memory is freed once no node output holds them)."""
    with _lock:
        _cache.clear()
