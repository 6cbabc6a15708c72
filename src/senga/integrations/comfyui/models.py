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
from senga.models import bundled_model_dir
from senga.models.pretrained import CONFIG_NAME, WEIGHTS_NAME

#: What the model input means when it names no folder: the model bundled with senga.
BUNDLED_NAMES: tuple[str, ...] = ("bundled", "default", "")

Stamp = tuple[tuple[int, int] | None, ...]


@dataclass(frozen=True, eq=False)
class SengaModel:
    """A loaded senga generator (``(N, 3, H, W)`` in [0, 1] -> ``(N, 1, H, W)`` ink), eval mode.

    Attributes:
        folder: the resolved model folder (the bundled one for ``"bundled"``).
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

    ``"bundled"`` (or ``"default"``, ``""``) is the bundled model; a relative
    path that does not exist from the working directory is taken relative to
    ``ComfyUI/models/senga`` when running inside ComfyUI.
    """
    text = str(model).strip()
    if text.lower() in BUNDLED_NAMES:
        return bundled_model_dir()
    path = Path(text).expanduser()
    if not path.is_absolute() and not path.exists():
        base = comfy_models_dir()
        if base is not None:
            path = base / path
    return path.resolve()


def folder_stamp(folder: Path) -> Stamp:
    """``(mtime_ns, size)`` of the weights and config files (``None`` for a missing one)."""
    stamps = []
    for name in (WEIGHTS_NAME, CONFIG_NAME):
        try:
            st = (folder / name).stat()
        except OSError:
            stamps.append(None)
        else:
            stamps.append((st.st_mtime_ns, st.st_size))
    return tuple(stamps)


def load_model(model: str | os.PathLike[str] = "bundled", device: str = "auto") -> SengaModel:
    """The model in ``model`` (a folder, or ``"bundled"``) on ``device``, from the cache when loaded before.

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
        bundled = folder == bundled_model_dir()
        extractor = LineExtractor.from_pretrained(None if bundled else folder, device=dev)
        loaded = SengaModel(folder=folder, device=extractor.device, module=extractor.model)
        _cache[key] = (stamp, loaded)
        return loaded


def clear_cache() -> None:
    """Forget every loaded model (their memory is freed once no node output holds them)."""
    with _lock:
        _cache.clear()
