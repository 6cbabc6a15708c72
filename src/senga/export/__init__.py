"""Export a trained generator to ONNX for the onnxruntime backend (``senga export``).

* :func:`export_onnx`: ``nn.Module`` -> ``.onnx`` with dynamic batch, height and width;
* :func:`export_pretrained`: a saved model folder (or the bundled model) -> ``.onnx``,
  recording the sha256 of the ``model.safetensors`` it came from.

Needs PyTorch and the ``onnx`` package (``pip install -e '.[torch]'``); running
the result needs neither (:class:`senga.extract.backends.OnnxBackend`).
"""

from __future__ import annotations

from senga.export.onnx_export import export_onnx, export_pretrained, sha256_file

__all__ = ["export_onnx", "export_pretrained", "sha256_file"]
