"""Generator -> ONNX (classic TorchScript exporter, opset 17, dynamic N, H, W).

What the graph is: the generator's ``forward`` on an input whose sides are
already multiples of ``model.size_multiple`` and at least ``model.min_size``
(the model contract); for such inputs the model pads nothing, so the graph has
no shape-dependent Python logic baked in. The padding (centered reflection)
and the crop are done by the onnxruntime backend in NumPy, exactly as the
model does them (:class:`senga.extract.backends.OnnxBackend`).

The file carries senga's metadata (``size_multiple``, ``min_size``, model
name and config, the sha256 of the source ``model.safetensors``). Float
weights that are exactly representable in float16 (all of them for a model
saved in float16, like the bundled one) are stored as float16 and cast back
to float32 by ``Cast`` nodes that onnxruntime folds away when it loads the
file: half the size, bit-identical results.

Every export is checked: onnxruntime runs the file on a batch of two inputs
of a size other than the traced one and must agree with PyTorch.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import io
import json
import os
import warnings
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from senga.extract.backends import (
    META_MIN_SIZE,
    META_NAME,
    META_SIZE_MULTIPLE,
    META_SOURCE_SHA256,
    ONNX_INPUT,
    ONNX_NAME,
    ONNX_OUTPUT,
)
from senga.io import atomic_write_path
from senga.models.generator import SengaGenerator
from senga.weights import resolve_model_dir

if TYPE_CHECKING:
    import onnx

#: ONNX opset of exported files (onnxruntime >= 1.14 runs it).
OPSET = 17
#: Largest |onnxruntime - torch| the export check accepts (float32 round-off is ~1e-6).
CHECK_TOLERANCE = 1e-4


def _need_onnx() -> ModuleType:
    try:
        import onnx
    except ImportError:
        raise ValueError(
            "senga export needs the onnx package: pip install onnx (or pip install -e '.[torch]')"
        ) from None
    return onnx


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _contract(model: nn.Module) -> tuple[int, int]:
    multiple = getattr(model, "size_multiple", None)
    if multiple is None:
        raise ValueError(f"{type(model).__name__} has no size_multiple: not a senga generator")
    minimum = int(getattr(model, "min_size", multiple))
    config = getattr(model, "config", None)
    if getattr(config, "morph_input", False):
        # Its morphological input channel is computed before the model's own padding; the
        # backend pads first, which would change pixels near the border. Not supported.
        raise ValueError("models with morph_input=True (preset exp5) cannot be exported to ONNX")
    return int(multiple), minimum


def _store_float16_when_exact(graph: onnx.GraphProto) -> int:
    """Store float32 initializers that round-trip exactly through float16 as float16 + a ``Cast``."""
    import onnx
    from onnx import helper, numpy_helper

    casts = []
    kept = []
    converted = 0
    for init in graph.initializer:
        if init.data_type != onnx.TensorProto.FLOAT:
            kept.append(init)
            continue
        values = numpy_helper.to_array(init)
        half = values.astype(np.float16)
        if not np.array_equal(half.astype(np.float32), values):
            kept.append(init)
            continue
        stored = numpy_helper.from_array(half, name=f"{init.name}__f16")
        kept.append(stored)
        casts.append(helper.make_node("Cast", [stored.name], [init.name], to=onnx.TensorProto.FLOAT))
        converted += 1
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend([*casts, *nodes])
    return converted


def export_onnx(
    model: nn.Module,
    path: str | os.PathLike[str],
    metadata: dict[str, str] | None = None,
    float16_storage: bool = True,
) -> Path:
    """Write ``model`` as an ONNX file (written atomically; an existing file is replaced).

    Args:
        model: a senga generator (``size_multiple`` / ``min_size`` contract); a
            float32 CPU copy in eval mode is exported, ``model`` is not changed.
        path: the ``.onnx`` file.
        metadata: extra string metadata (e.g. ``{META_SOURCE_SHA256: ...}``).
        float16_storage: store exactly-representable float weights as float16.

    Returns:
        The path.

    Raises:
        ValueError: not a senga generator, ``onnx`` not installed, or the check
            of the written graph against PyTorch failed.
    """
    onnx = _need_onnx()
    multiple, minimum = _contract(model)
    path = Path(path)
    if path.suffix.lower() != ".onnx":
        raise ValueError(f"{path}: the output must be a .onnx file")
    net = copy.deepcopy(model).to("cpu").float().eval()
    base = max(multiple, minimum)
    traced = torch.rand(1, 3, 2 * base, 3 * base, generator=torch.Generator().manual_seed(0))
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TracerWarnings about the padding branches, which are constant here
        torch.onnx.export(
            net,
            (traced,),
            buffer,  # type: ignore[arg-type]  # the TorchScript exporter takes a file object too; the stubs list paths only
            dynamo=False,
            opset_version=OPSET,
            # PRESERVE (the net is in eval mode) keeps BatchNormalization nodes instead of folding them
            # into the convs, so float16-saved weights stay exactly float16; onnxruntime fuses them at load.
            training=torch.onnx.TrainingMode.PRESERVE,
            input_names=[ONNX_INPUT],
            output_names=[ONNX_OUTPUT],
            dynamic_axes={ONNX_INPUT: {0: "n", 2: "h", 3: "w"}, ONNX_OUTPUT: {0: "n", 2: "h", 3: "w"}},
        )
    proto = onnx.load_from_string(buffer.getvalue())
    if float16_storage:
        _store_float16_when_exact(proto.graph)
    config = getattr(net, "config", None)
    meta = {
        META_SIZE_MULTIPLE: str(multiple),
        META_MIN_SIZE: str(minimum),
        META_NAME: str(getattr(config, "name", type(net).__name__)),
        "senga.config": json.dumps(dataclasses.asdict(config))
        if dataclasses.is_dataclass(config) and not isinstance(config, type)
        else "{}",
        "senga.input": f"{ONNX_INPUT}: (N, 3, H, W) float32 RGB in [0, 1], H and W multiples of {multiple}, >= {minimum}",
        "senga.output": f"{ONNX_OUTPUT}: (N, 1, H, W) float32 ink in [0, 1], 1 = line",
    }
    from senga import __version__

    meta["senga.version"] = __version__
    meta.update(metadata or {})
    del proto.metadata_props[:]
    for key, value in meta.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    proto.producer_name = "senga"
    onnx.checker.check_model(proto)
    data = proto.SerializeToString()
    _check_against_torch(net, data, multiple, minimum, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def _check_against_torch(net: nn.Module, data: bytes, multiple: int, minimum: int, path: Path) -> None:
    """onnxruntime on a batch of 2 at a size other than the traced one must match PyTorch."""
    import onnxruntime as ort

    base = max(multiple, minimum)
    x = torch.rand(2, 3, 3 * base, 2 * base + multiple, generator=torch.Generator().manual_seed(1))
    with torch.inference_mode():
        expected = net(x).numpy()
        floor = float(getattr(getattr(net, "config", None), "ink_floor", 0.0))
        if floor > 0:  # pixels a rounding step from the floor may fall on either side of it: not compared
            raw_net = copy.deepcopy(net)
            assert isinstance(raw_net, SengaGenerator), "only the generator has an ink floor"
            raw_net.config = dataclasses.replace(raw_net.config, ink_floor=0.0)
            undecided = np.abs(raw_net(x).numpy() - floor) <= CHECK_TOLERANCE
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    (got,) = session.run([ONNX_OUTPUT], {ONNX_INPUT: x.numpy()})
    if floor > 0 and got.shape == expected.shape:
        got = np.where(undecided, expected, got)
    diff = float(np.abs(got - expected).max()) if got.shape == expected.shape else float("inf")
    if not diff <= CHECK_TOLERANCE:
        raise ValueError(
            f"{path}: exported graph disagrees with PyTorch (max |diff| {diff:.3g}); not written"
        )


def export_pretrained(
    model_dir: str | os.PathLike[str] | None,
    path: str | os.PathLike[str] | None = None,
    ink_floor: float | None = None,
) -> Path:
    """Export a saved model folder, or a bundled model by name (``None`` / ``"default"`` /
    ``"fast"``, alias ``"bundled"``: :mod:`senga.weights`).

    ``path`` defaults to ``MODEL_DIR/model.onnx``. The sha256 of the folder's
    ``model.safetensors`` is recorded (``senga.source_sha256``), so a stale
    export of changed weights can be detected.
    """
    from senga.models import from_pretrained
    from senga.models.pretrained import WEIGHTS_NAME

    model = from_pretrained(model_dir, map_location="cpu", ink_floor=ink_floor)  # checks the folder
    directory = resolve_model_dir(model_dir)
    if directory.is_file():
        directory = directory.parent
    target = Path(path) if path is not None else directory / ONNX_NAME  # .onnx only: never the weights
    return export_onnx(model, target, metadata={META_SOURCE_SHA256: sha256_file(directory / WEIGHTS_NAME)})
