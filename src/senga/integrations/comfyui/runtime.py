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

import importlib
from pathlib import Path
from types import ModuleType

import torch

from senga.extract import resolve_device

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


def comfy_models_dir() -> Path | None:
    """``ComfyUI/models/senga`` inside ComfyUI (from ``folder_paths.models_dir``), else ``None``."""
    try:
        folder_paths = importlib.import_module("folder_paths")
    except ImportError:
        return None
    return Path(folder_paths.models_dir) / "senga"


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
