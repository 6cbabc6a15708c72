"""The product path: tiled inference and the ``LineExtractor`` API.

* :mod:`senga.extract.tiling`: ``predict_ink(model, rgb, tile, overlap, ...)``,
  any image size with bounded memory;
* :mod:`senga.extract.extractor`: ``LineExtractor`` / ``ClassicalExtractor``,
  PIL or numpy in, PIL ``"L"`` line art out;
* :mod:`senga.extract.backends` / :mod:`senga.extract.torch_backend`: what runs
  the network (onnxruntime without PyTorch, or PyTorch).

Batches of files (``senga extract`` on folders, manifests, Ray) are :mod:`senga.batch`.

Importing this package does not import torch. Device names and the extras check
live in :mod:`senga.runtime` (``senga.extract.resolve_device`` is kept as an alias).
"""

from __future__ import annotations

from typing import Any

from senga.extract.backends import BACKENDS
from senga.extract.extractor import ClassicalExtractor, LineExtractor, as_rgb
from senga.extract.tiling import DEFAULT_OVERLAP, DEFAULT_TILE, predict_gray, predict_ink

__all__ = [
    "BACKENDS",
    "DEFAULT_OVERLAP",
    "DEFAULT_TILE",
    "ClassicalExtractor",
    "LineExtractor",
    "as_rgb",
    "predict_gray",
    "predict_ink",
    "resolve_device",
]


def __getattr__(name: str) -> Any:
    if name == "resolve_device":  # the alias kept for callers of senga.extract.resolve_device
        from senga.runtime import resolve_device

        return resolve_device
    raise AttributeError(f"module 'senga.extract' has no attribute {name!r}")
