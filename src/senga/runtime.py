"""What this install and this machine offer: the optional extras, and devices.

Two small questions every front end asks before it loads anything, answered in
one place that imports no torch (so ``senga --help``, ``senga extract --backend
onnxruntime`` and an install without the ``torch`` extra can ask them):

* **extras**: :func:`torch_available` (checked without importing torch) and
  :func:`missing_extra`, the one ``"needs ..., which is not installed: pip install
  ..."`` message for a module of the ``torch`` extra (PyTorch, OpenCV, SciPy, onnx);
* **devices**: :func:`resolve_device`, the one meaning of a device name
  (``"auto"``, ``"cuda"`` = ``cuda:LOCAL_RANK``, ...) for extraction, training,
  the bench and ComfyUI, and :func:`checked_device`, the one check that float16
  inference has CUDA. Both import torch when called.

Layering: this module sits at the bottom with :mod:`senga.errors` and
:mod:`senga.weights`; inference (:mod:`senga.extract`), training and the front
ends import it, it imports no other senga module (docs/architecture.md).
"""

from __future__ import annotations

import importlib.util
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: importing this module must not import torch
    import torch

__all__ = [
    "EXTRA_MODULES",
    "TORCH_MISSING",
    "checked_device",
    "install_hint",
    "missing_extra",
    "resolve_device",
    "torch_available",
]


def install_hint(extra: str) -> str:
    """The one install line for an optional extra: senga is installed from its clone, not PyPI.

    >>> install_hint("ray")
    "pip install -e '.[ray]' (in the senga clone)"
    """
    return f"pip install -e '.[{extra}]' (in the senga clone)"


#: The message for "PyTorch is not installed", appended to what needs it (``"senga export " + ...``).
TORCH_MISSING = (
    f"needs PyTorch, which is not installed: pip install torch==2.13.0, then {install_hint('torch')}"
)
#: Modules of the ``torch`` extra (training, synthesis, classical baselines, export) -> their pip names.
EXTRA_MODULES: dict[str, str] = {
    "torch": "torch",
    "cv2": "opencv-python-headless",
    "scipy": "scipy",
    "onnx": "onnx",
}


def torch_available() -> bool:
    """Whether PyTorch is installed (checked without importing it)."""
    if "torch" in sys.modules:  # imported already, or blocked (None) as tests do to mimic its absence
        return sys.modules["torch"] is not None
    return importlib.util.find_spec("torch") is not None


def missing_extra(module: str | None) -> str | None:
    """``"needs ..., which is not installed: pip install ..."`` when ``module`` (a
    ``ModuleNotFoundError.name``) belongs to the ``torch`` extra, else ``None``.

    >>> missing_extra("cv2.typing").startswith("needs opencv-python-headless, which is not installed")
    True
    >>> missing_extra("yaml") is None
    True
    """
    top = (module or "").partition(".")[0]
    if top == "torch":
        return TORCH_MISSING
    if top in EXTRA_MODULES:
        pip = EXTRA_MODULES[top]
        return f"needs {pip}, which is not installed: {install_hint('torch')} (or pip install {pip})"
    return None


def resolve_device(name: str | torch.device, local_rank: int = 0) -> torch.device:
    """A device name -> ``torch.device``; used by extraction and training alike.

    ``"auto"`` is ``cuda:LOCAL_RANK`` when CUDA is available, else ``cpu``;
    ``"cuda"`` is ``cuda:LOCAL_RANK``; other names (``"cpu"``, ``"cuda:1"``,
    ``"mps"``) are taken as given.

    Raises:
        ValueError: CUDA was asked for but is not available.
    """
    import torch  # here, not at module level: the extras check above must work without torch

    text = str(name)
    if text == "auto":
        text = "cuda" if torch.cuda.is_available() else "cpu"
    if text.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ValueError(f"device {str(name)!r} requested but CUDA is not available (use cpu or auto)")
        if text == "cuda":
            text = f"cuda:{local_rank}"
    return torch.device(text)


def checked_device(name: str | torch.device, half: bool) -> torch.device:
    """:func:`resolve_device`, and the one check that ``half`` (float16 autocast) has CUDA."""
    device = resolve_device(name)
    if half and device.type != "cuda":
        raise ValueError(f"half precision needs a CUDA device, got device {str(device)!r}")
    return device
