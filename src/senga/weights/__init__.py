"""Where the model shipped inside the package lives (no torch needed to find it).

``senga/weights/default`` holds ``model.safetensors`` + ``config.json`` (the torch
backend, :func:`senga.models.from_pretrained`) and ``model.onnx`` (the
onnxruntime backend, :func:`senga.extract.backends.bundled_onnx_path`).
"""

from __future__ import annotations

from pathlib import Path


def bundled_model_dir() -> Path:
    """Folder of the model shipped inside the package: ``senga/weights/default``."""
    return Path(__file__).resolve().parent / "default"
