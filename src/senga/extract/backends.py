"""Where tiles are run: a small :class:`Backend` Protocol and its onnxruntime implementation.

Tiled inference (:mod:`senga.extract.tiling`) cuts an image into windows
and asks a backend for their ink; the tiling, blending and outputs are the
same whatever runs the network:

* ``"torch"``: :class:`senga.extract.torch_backend.TorchBackend`, an
  ``nn.Module`` on CPU or CUDA (float16 autocast on CUDA);
* ``"onnxruntime"``: :class:`OnnxBackend`, a model exported by
  ``senga export`` (:mod:`senga.export`) run by onnxruntime, with NumPy
  only: no PyTorch needed (``pip install senga`` without the ``torch`` extra).

This module never imports torch. The ONNX graph takes windows already padded
to the model's ``size_multiple`` / ``min_size`` (read from the file's
metadata); :meth:`OnnxBackend.run` pads them exactly as the torch model pads
itself (centered reflection, ``numpy.pad(mode="reflect")`` equals
``senga.models.padding.pad_to_multiple``, tested) and crops the result.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from senga.errors import first_line
from senga.runtime import TORCH_MISSING, torch_available
from senga.weights import bundled_model_dir, bundled_name, installed_model_dir, is_bundled, resolve_model_dir

#: Backend names ``LineExtractor(backend=...)`` and ``senga extract --backend`` take.
BACKENDS: tuple[str, ...] = ("torch", "onnxruntime")

#: File name of an exported model inside a model folder (and of the bundled one).
ONNX_NAME = "model.onnx"
#: Names of the graph's input ``(N, 3, H, W)`` float32 RGB in [0, 1] and output ``(N, 1, H, W)`` ink.
ONNX_INPUT, ONNX_OUTPUT = "rgb", "ink"
#: ONNX metadata keys written by :func:`senga.export.export_onnx` (values are strings).
META_SIZE_MULTIPLE = "senga.size_multiple"
META_MIN_SIZE = "senga.min_size"
META_NAME = "senga.model"
META_SOURCE_SHA256 = "senga.source_sha256"  # sha256 of the model.safetensors it was exported from


class Backend(Protocol):
    """What tiled inference needs from whatever runs the network."""

    #: Window sides are aligned to multiples of this (the model's ``size_multiple``).
    size_multiple: int

    def run(self, tiles: np.ndarray) -> np.ndarray:
        """``(N, h, w, 3) uint8`` windows -> ``(N, h, w) float32`` ink in [0, 1] (1 = line)."""
        ...

    def describe(self) -> str:
        """One line for reprs and logs, e.g. ``"onnxruntime, model.onnx, CPUExecutionProvider"``."""
        ...


def resolve_backend(name: str | None) -> str:
    """``None`` / ``"auto"`` -> ``"torch"`` when PyTorch is installed, else ``"onnxruntime"``.

    Raises:
        ValueError: an unknown name, or ``"torch"`` without PyTorch installed.
    """
    if name is None or name == "auto":
        return "torch" if torch_available() else "onnxruntime"
    if name not in BACKENDS:
        raise ValueError(f"backend must be one of auto, {', '.join(BACKENDS)}; got {name!r}")
    if name == "torch" and not torch_available():
        raise ValueError(f"backend 'torch' {TORCH_MISSING}; or use backend 'onnxruntime'")
    return name


def bundled_onnx_path() -> Path:
    """The ONNX export of the bundled model, shipped in the package: ``senga/weights/default/model.onnx``."""
    return bundled_model_dir() / ONNX_NAME


def resolve_onnx_path(path: str | os.PathLike[str] | None) -> Path:
    """The ``.onnx`` file for ``path``: a bundled model's name (``None`` / ``"default"`` /
    ``"fast"``, :mod:`senga.weights`), a ``.onnx`` file, or a model folder holding ``model.onnx``.

    Raises:
        ValueError: ``"PATH: problem"`` when there is no such file, with the command that makes it
            (``senga.weights.ModelNotInstalledError`` for a bundled model).
    """
    if is_bundled(path):
        folder = resolve_model_dir(path)
        hint = f"make it with `senga export {bundled_name(path)} -o {folder / ONNX_NAME}` or pass a model"
        return installed_model_dir(path, ONNX_NAME, hint) / ONNX_NAME
    assert path is not None  # None is the bundled default
    p = Path(path)
    if p.is_dir():
        if not (p / ONNX_NAME).is_file():
            raise ValueError(
                f"{p}: no {ONNX_NAME} in this model folder; make it with `senga export {p} -o {p / ONNX_NAME}`"
            )
        return p / ONNX_NAME
    if p.is_file():
        if p.suffix.lower() != ".onnx":
            raise ValueError(
                f"{p}: not an ONNX file; the onnxruntime backend needs a .onnx file or a folder holding one"
            )
        return p
    raise ValueError(f"{p}: no such model folder or file")


def padding_for(size: int, multiple: int, minimum: int) -> tuple[int, int]:
    """``(before, after)``: centered padding of a side to a multiple of ``multiple``, at least
    ``minimum`` (the extra pixel goes after), as ``senga.models.padding.pad_to_multiple`` pads."""
    target = -(-max(size, minimum) // multiple) * multiple
    extra = target - size
    return extra // 2, extra - extra // 2


class OnnxBackend:
    """Runs a ``senga export`` ONNX model with onnxruntime (NumPy in and out, no torch).

    ``InferenceSession.run`` is thread-safe, so one backend serves several threads.

    Args:
        path: the ``.onnx`` file (see :func:`resolve_onnx_path` for folders and the bundled one).
        device: ``"auto"`` (CUDA when onnxruntime has its CUDA provider, else CPU),
            ``"cpu"`` or ``"cuda"``.
        optimization: onnxruntime graph optimisation level: ``"all"`` (default),
            ``"extended"``, ``"basic"`` or ``"disable"``.
        threads: intra-op threads (``None``: onnxruntime's default, one per core).

    Raises:
        ValueError: missing or unreadable file, a file without senga's metadata,
            or a device onnxruntime cannot use.
    """

    name = "onnxruntime"

    def __init__(
        self,
        path: str | os.PathLike[str],
        device: str = "auto",
        optimization: str = "all",
        threads: int | None = None,
    ) -> None:
        try:
            import onnxruntime as ort
        except ImportError:  # a base dependency; only a broken install lacks it
            raise ValueError("backend 'onnxruntime' needs onnxruntime: pip install onnxruntime") from None
        self.path = Path(path)
        levels = {
            "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
            "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
            "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
            "disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
        }
        if optimization not in levels:
            raise ValueError(f"optimization must be one of {', '.join(levels)}; got {optimization!r}")
        available = ort.get_available_providers()
        has_cuda = "CUDAExecutionProvider" in available
        dev = str(device)
        if dev == "auto":
            dev = "cuda" if has_cuda else "cpu"
        if dev.startswith("cuda"):
            if not has_cuda:
                raise ValueError(
                    f"device {str(device)!r} requested but onnxruntime has no CUDA provider "
                    "(install onnxruntime-gpu, or use cpu or auto)"
                )
            providers = ["CUDAExecutionProvider", "CPUExecutionProvider"]
        elif dev == "cpu":
            providers = ["CPUExecutionProvider"]
        else:
            raise ValueError(
                f"device for the onnxruntime backend must be auto, cpu or cuda; got {str(device)!r}"
            )
        self.device = dev
        options = ort.SessionOptions()
        options.graph_optimization_level = levels[optimization]
        if threads is not None:
            options.intra_op_num_threads = threads
        self.optimization = optimization
        try:
            self.session = ort.InferenceSession(str(self.path), sess_options=options, providers=providers)
        except Exception as err:  # noqa: BLE001 - onnxruntime raises its own exception types for bad files
            text = first_line(err)
            raise ValueError(f"{self.path}: not a usable ONNX model ({text})") from None
        self.metadata: dict[str, str] = dict(self.session.get_modelmeta().custom_metadata_map)
        try:
            self.size_multiple = int(self.metadata[META_SIZE_MULTIPLE])
            self.min_size = int(self.metadata[META_MIN_SIZE])
        except (KeyError, ValueError):
            raise ValueError(
                f"{self.path}: not a senga ONNX model (no {META_SIZE_MULTIPLE} metadata); make it with `senga export`"
            ) from None
        self.model_name = self.metadata.get(META_NAME, "?")

    def run(self, tiles: np.ndarray) -> np.ndarray:
        """``(N, h, w, 3) uint8`` windows -> ``(N, h, w) float32`` ink in [0, 1]."""
        x = tiles.transpose(0, 3, 1, 2).astype(np.float32) / np.float32(255.0)
        h, w = x.shape[2:]
        top, bottom = padding_for(h, self.size_multiple, self.min_size)
        left, right = padding_for(w, self.size_multiple, self.min_size)
        if top or bottom or left or right:
            x = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), mode="reflect")
        (ink,) = self.session.run([ONNX_OUTPUT], {ONNX_INPUT: np.ascontiguousarray(x)})
        return np.ascontiguousarray(ink[:, 0, top : top + h, left : left + w], dtype=np.float32)

    def describe(self) -> str:
        provider = self.session.get_providers()[0]
        return f"onnxruntime, {self.path.name} (model {self.model_name!r}), {provider}"


def make_backend(
    model: Any, backend: str | None = None, device: str = "auto", half: bool = False, precision: str = "fp32"
) -> Backend:
    """A :class:`Backend` for ``model``: an ``nn.Module`` (torch), a ``.onnx`` path or folder
    (onnxruntime), or something that already is a backend (returned as is).

    ``precision`` (:mod:`senga.extract.precision`): ``"auto"``, ``"fp32"`` or ``"bf16"``.

    Raises:
        ValueError: ``half`` without CUDA or with onnxruntime, a bad device, backend or precision.
    """
    from senga.extract.precision import model_key, resolve_precision

    if hasattr(model, "run") and hasattr(model, "size_multiple"):
        return model  # already a backend
    if isinstance(model, (str, os.PathLike)):
        if resolve_backend(backend or "onnxruntime") != "onnxruntime":
            raise ValueError(
                "a path as model needs backend 'onnxruntime' (load a torch model with from_pretrained)"
            )
        if half:
            raise ValueError(
                "half precision is available with the torch backend only (onnxruntime runs float32)"
            )
        resolve_precision(precision, "onnxruntime")  # bf16 is refused there
        return OnnxBackend(resolve_onnx_path(model), device=device)
    if backend not in (None, "auto", "torch"):
        raise ValueError(
            f"an in-memory model runs on backend 'torch', not {backend!r}; export it with `senga export`"
        )
    from senga.extract.torch_backend import TorchBackend
    from senga.runtime import checked_device

    dev = checked_device(device, half)
    bf16 = resolve_precision(precision, "torch", dev.type, model_key(model)) == "bf16"
    return TorchBackend(model, device=dev, half=half, bf16=bf16)
