"""The PyTorch backend of tiled inference.

:class:`TorchBackend` runs an ``nn.Module`` generator on batches of tiles
(:class:`senga.extract.backends.Backend`) on the device
:func:`senga.runtime.checked_device` gives. It is the only extraction module
that imports torch; :mod:`senga.extract.backends` imports it only when the
torch backend is asked for, so ``senga extract`` on onnxruntime never does.

Example:
    >>> import numpy as np
    >>> from senga.models import create_model
    >>> backend = TorchBackend(create_model("senga"), device="cpu")
    >>> backend.size_multiple, backend.run(np.zeros((2, 32, 48, 3), np.uint8)).shape
    (16, (2, 32, 48))
"""

from __future__ import annotations

import contextlib
import threading

import numpy as np
import torch
from torch import nn

from senga.runtime import checked_device


class TorchBackend:
    """Runs a generator (``(N, 3, h, w)`` in [0, 1] -> ``(N, 1, h, w)`` ink) on tiles.

    The model is put in eval mode and on ``device`` once, here; :meth:`run`
    only repeats that (under a lock, so concurrent calls do it once) if a
    caller moved the model or switched it to train mode in between. Safe to
    call from several threads.

    Args:
        model: the generator. Its ``size_multiple`` (the model contract, 16 for
            senga) aligns the tiles; a model without one gets 1.
        device: ``"auto"``, ``"cpu"``, ``"cuda"``, ... (:func:`senga.runtime.resolve_device`).
        half: float16 autocast (CUDA only).
        bf16: bfloat16 autocast (:mod:`senga.extract.precision` decides when).
    """

    name = "torch"

    def __init__(
        self, model: nn.Module, device: str | torch.device = "auto", half: bool = False, bf16: bool = False
    ) -> None:
        self.device = checked_device(device, half)
        self.half = half
        self.bf16 = bf16 and not half
        self.model = model.to(self.device).eval()
        self.size_multiple = int(getattr(model, "size_multiple", 1))
        self._lock = threading.Lock()

    def _ready(self) -> nn.Module:
        with self._lock:
            p = next(self.model.parameters(), None)
            if self.model.training or (p is not None and p.device != self.device):
                self.model.to(self.device).eval()
        return self.model

    def _autocast(self) -> contextlib.AbstractContextManager[object]:
        if self.bf16:
            return torch.autocast(device_type=self.device.type, dtype=torch.bfloat16)
        if not self.half:
            return contextlib.nullcontext()
        return torch.autocast(device_type="cuda", dtype=torch.float16)

    def run(self, tiles: np.ndarray) -> np.ndarray:
        """``(N, h, w, 3) uint8`` tiles -> ``(N, h, w) float32`` ink in [0, 1]."""
        model = self._ready()
        x = (
            torch.from_numpy(np.ascontiguousarray(tiles))
            .to(self.device)
            .permute(0, 3, 1, 2)
            .float()
            .div_(255.0)
        )
        with torch.inference_mode(), self._autocast():
            out = model(x)
        return out[:, 0].float().cpu().numpy()

    def describe(self) -> str:
        """``"torch, model 'senga', device cpu"`` (for reprs and logs)."""
        name = getattr(getattr(self.model, "config", None), "name", type(self.model).__name__)
        return (
            f"torch, model {name!r}, device {self.device}"
            + (", half" if self.half else "")
            + (", bf16" if self.bf16 else "")
        )
