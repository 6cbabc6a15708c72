"""What the nodes take from ComfyUI when they run inside it, and plain fallbacks outside.

Inside ComfyUI the ``comfy`` package is importable: the device comes from
``comfy.model_management.get_torch_device()`` (so ``--cpu``, ``--gpu-only``,
``--directml`` ... are respected), long runs report progress through
``comfy.utils.ProgressBar`` and stop when the user presses "Cancel"
(``throw_exception_if_processing_interrupted``), and model folders may be
named relative to ``ComfyUI/models/senga``. Outside ComfyUI (tests,
scripts) the device is CUDA when available, else CPU, and the rest does nothing.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from pathlib import Path
from types import ModuleType
from typing import Any

import torch

from senga.runtime import resolve_device

#: Device choices of the nodes; ``"auto"`` is ComfyUI's device inside ComfyUI.
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda")


def _comfy(module: str) -> ModuleType | None:
    """``comfy.<module>`` when running inside ComfyUI, else ``None``."""
    try:
        return importlib.import_module(f"comfy.{module}")
    except ImportError:
        return None


def comfy_device() -> torch.device | None:
    """ComfyUI's torch device, or ``None`` outside ComfyUI."""
    mm = _comfy("model_management")
    return None if mm is None else torch.device(mm.get_torch_device())


def pick_device(name: str) -> torch.device:
    """A device choice (``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:1"`` ...) -> a torch device.

    ``"auto"`` is ComfyUI's device inside ComfyUI, else CUDA when available,
    else CPU. Raises ``ValueError`` for CUDA without CUDA or an unknown name.
    """
    if name == "auto":
        device = comfy_device()
        if device is not None:
            return device
    try:
        return resolve_device(name)
    except RuntimeError as err:  # torch.device("nonsense")
        raise ValueError(f"unknown device {name!r}: use one of {', '.join(DEVICES)}") from err


#: senga's model type in ComfyUI's ``folder_paths`` (the folder ``ComfyUI/models/senga``; an
#: ``extra_model_paths.yaml`` entry ``senga: PATH`` adds more folders).
FOLDER_TYPE = "senga"


def _folder_paths() -> Any:
    """ComfyUI's ``folder_paths`` module (untyped, and senga may add to it), or ``None`` outside ComfyUI."""
    try:
        return importlib.import_module("folder_paths")
    except ImportError:
        return None


def comfy_models_dir() -> Path | None:
    """``ComfyUI/models/senga`` inside ComfyUI (from ``folder_paths.models_dir``), else ``None``."""
    folder_paths = _folder_paths()
    return None if folder_paths is None else Path(folder_paths.models_dir) / FOLDER_TYPE


def register_model_folder() -> list[Path]:
    """Register ``ComfyUI/models/senga`` with ComfyUI's ``folder_paths`` and return every senga folder.

    The folder is created when missing (so users see where models go) and
    added once as the :data:`FOLDER_TYPE` model type
    (``folder_paths.add_model_folder_path``, or ``folder_names_and_paths`` in
    ComfyUI builds without it); folders that ``extra_model_paths.yaml`` gave the
    type come after it (the default folder is always first). Outside ComfyUI: ``[]``.
    """
    folder_paths = _folder_paths()
    if folder_paths is None:
        return []
    default = Path(folder_paths.models_dir) / FOLDER_TYPE
    with contextlib.suppress(OSError):  # a read-only models folder: nothing to list there
        default.mkdir(parents=True, exist_ok=True)
    table = getattr(folder_paths, "folder_names_and_paths", None)
    if table is None:
        table = folder_paths.folder_names_and_paths = {}
    known = table.get(FOLDER_TYPE, ([], set()))[0]
    if str(default) not in known:
        add = getattr(folder_paths, "add_model_folder_path", None)
        if add is not None:
            add(FOLDER_TYPE, str(default))
        else:
            table[FOLDER_TYPE] = ([str(default), *known], set())
    others = [Path(p) for p in table.get(FOLDER_TYPE, ([], set()))[0] if Path(p) != default]
    return [default, *others]


def find_model_folders(bases: list[Path], weights: str, config: str, max_depth: int = 4) -> list[str]:
    """Model folders (holding ``weights`` and ``config``) at most ``max_depth`` levels below ``bases``.

    Folders below the first base (``ComfyUI/models/senga``) are named relative
    to it (``mine``, ``runs/ft/best``: what the loader resolves); others by
    their absolute path. Symlinked folders are followed; hidden ones skipped.
    Each once, sorted within its base, in the order of ``bases``.
    """
    found: list[str] = []
    for i, base in enumerate(bases):
        if not base.is_dir():
            continue
        here_found: list[str] = []
        for root, dirs, files in os.walk(base, followlinks=True):
            here = Path(root)
            depth = len(here.relative_to(base).parts)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".")) if depth < max_depth else []
            if depth and weights in files and config in files:
                name = here.relative_to(base).as_posix() if i == 0 else str(here)
                if name not in found and name not in here_found:
                    here_found.append(name)
        found.extend(sorted(here_found))
    return found


def check_interrupted() -> None:
    """Raise ComfyUI's interrupt exception when the user cancelled the run (no-op outside ComfyUI)."""
    mm = _comfy("model_management")
    if mm is not None:
        mm.throw_exception_if_processing_interrupted()


class Progress:
    """Progress over ``images`` images of ``steps`` ticks each, on ComfyUI's progress bar when present.

    ``tile(i, done, total)`` reports tile ``done`` of ``total`` in image ``i``
    (the :data:`senga.extract.tiling.ProgressFn` of that image) and checks for
    an interrupt, so cancelling stops a large image between tiles.
    """

    STEPS = 100

    def __init__(self, images: int) -> None:
        utils = _comfy("utils")
        self.total = images * self.STEPS
        self.bar = None if utils is None else utils.ProgressBar(self.total)

    def tile(self, image: int, done: int, total: int) -> None:
        check_interrupted()
        if self.bar is not None:
            self.bar.update_absolute(image * self.STEPS + (self.STEPS * done) // max(total, 1), self.total)
