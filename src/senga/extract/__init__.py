"""The product path: tiled inference, the ``LineExtractor`` API and the batch file runner.

* :mod:`senga.extract.tiling`: ``predict_ink(model, rgb, tile, overlap, ...)``,
  any image size with bounded memory;
* :mod:`senga.extract.extractor`: ``LineExtractor`` / ``ClassicalExtractor``,
  PIL or numpy in, PIL ``"L"`` line art out;
* :mod:`senga.extract.runner`: ``run_files`` behind ``senga extract``;
* :mod:`senga.extract.backends` / :mod:`senga.extract.torch_backend`: what runs
  the network (onnxruntime without PyTorch, or PyTorch).

Importing this package does not import torch (``resolve_device`` loads it on first use).
"""

from typing import Any

from senga.extract.backends import BACKENDS
from senga.extract.extractor import ClassicalExtractor, LineExtractor, as_rgb
from senga.extract.runner import RunSummary, plan_outputs, run_files
from senga.extract.tiling import DEFAULT_OVERLAP, DEFAULT_TILE, predict_gray, predict_ink

__all__ = [
    "BACKENDS",
    "DEFAULT_OVERLAP",
    "DEFAULT_TILE",
    "ClassicalExtractor",
    "LineExtractor",
    "RunSummary",
    "as_rgb",
    "plan_outputs",
    "predict_gray",
    "predict_ink",
    "resolve_device",
    "run_files",
]


def __getattr__(name: str) -> Any:
    if name == "resolve_device":  # lazy: it needs torch, which extraction on onnxruntime does not
        from senga.extract.torch_backend import resolve_device

        return resolve_device
    raise AttributeError(f"module 'senga.extract' has no attribute {name!r}")
