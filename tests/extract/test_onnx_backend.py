"""The onnxruntime backend: the shipped ONNX is the shipped model, same outputs as torch, no torch needed.

Most tests here need no PyTorch (CI runs this file in a second virtualenv
without it, see ``.ci/run``); the ones comparing with the torch backend skip
there. A test "without torch" runs in a subprocess where ``import torch``
fails, so it also checks that nothing on the path imports torch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from senga.extract import LineExtractor
from senga.extract.backends import (
    META_SOURCE_SHA256,
    OnnxBackend,
    bundled_onnx_path,
    padding_for,
    resolve_backend,
)
from senga.io import read_rgb
from senga.runtime import TORCH_MISSING

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "illustration.png"
REGENERATE = "senga export default -o src/senga/weights/default/model.onnx"
#: Set by .ci/run's torch-free step: the torch install's `senga extract` output for EXAMPLE.
REFERENCE_ENV = "SENGA_TORCH_REFERENCE"


@pytest.fixture(scope="module")
def illustration() -> np.ndarray:
    """``(640, 640, 3) uint8``: the bundled example (made by ``senga synth``); PIL only, no OpenCV."""
    return read_rgb(EXAMPLE)


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def onnx_extractor() -> LineExtractor:
    return LineExtractor.from_pretrained(backend="onnxruntime", tile=64, overlap=32, batch_size=3)


def run_without_torch(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter in which ``import torch`` fails."""
    script = "import sys\nsys.modules['torch'] = None  # as if PyTorch were not installed\n" + code
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )


def _assert_same_line_art(torch_out: np.ndarray, onnx_out: np.ndarray) -> None:
    """Two 8-bit outputs of the bundled model agree within 1/255, except where a pixel one rounding
    step from the model's ink floor is paper (255) in one and just below the floor (~239) in the other."""
    config = json.loads((bundled_onnx_path().parent / "config.json").read_text())["config"]
    floor_gray = 255 - int(np.ceil(255 * config.get("ink_floor", 0.0)))
    low = np.minimum(torch_out, onnx_out)
    at_floor = (np.maximum(torch_out, onnx_out) == 255) & (low < 255) & (low >= floor_gray - 1)
    assert at_floor.mean() < 1e-3, f"{at_floor.sum()} pixels differ at the ink floor"
    diff = int(np.abs(torch_out.astype(np.int16) - onnx_out)[~at_floor].max())
    assert diff <= 1, f"shipped model.onnx differs from model.safetensors by {diff}/255: run `{REGENERATE}`"


def test_shipped_onnx_was_exported_from_the_shipped_weights() -> None:
    onnx = bundled_onnx_path()
    weights = onnx.parent / "model.safetensors"
    assert onnx.is_file(), f"{onnx} missing: run `{REGENERATE}`"
    recorded = OnnxBackend(onnx, device="cpu").metadata.get(META_SOURCE_SHA256)
    assert recorded == _sha256(weights), (
        f"{onnx} was exported from other weights than {weights.name}: run `{REGENERATE}`"
    )
    exported = json.loads(OnnxBackend(onnx, device="cpu").metadata["senga.config"])
    shipped = json.loads((onnx.parent / "config.json").read_text())["config"]
    assert {k: exported[k] for k in shipped} == shipped, (
        f"{onnx} was exported with another config (e.g. ink_floor) than config.json: run `{REGENERATE}`"
    )


def test_shipped_onnx_matches_shipped_safetensors_within_one_level(illustration: np.ndarray) -> None:
    """The two shipped files give the same 8-bit line art (tiled, batched, odd sizes)."""
    pytest.importorskip("torch", reason="compares with the torch backend")
    rgb = illustration[300:533, 250:451].copy()
    for kw in ({}, {"tile": 64, "overlap": 32, "batch_size": 3}):
        torch_out = np.asarray(
            LineExtractor.from_pretrained(device="cpu", backend="torch", **kw)(rgb), np.int16
        )
        onnx_out = np.asarray(LineExtractor.from_pretrained(backend="onnxruntime", **kw)(rgb), np.int16)
        assert torch_out.std() > 5  # real line art, not a blank page
        _assert_same_line_art(torch_out, onnx_out)


def test_numpy_padding_is_the_models_padding() -> None:
    torch = pytest.importorskip("torch", reason="compares with senga.models.padding")
    from senga.models.padding import pad_to_multiple

    for h, w in [(1, 1), (1, 40), (5, 3), (17, 33), (31, 64), (70, 2)]:
        x = torch.rand(1, 2, h, w)
        padded, pad = pad_to_multiple(x, 16, 32)
        (top, bottom), (left, right) = padding_for(h, 16, 32), padding_for(w, 16, 32)
        assert pad == (left, right, top, bottom)
        mine = np.pad(x.numpy(), ((0, 0), (0, 0), (top, bottom), (left, right)), mode="reflect")
        assert np.array_equal(mine, padded.numpy())


def test_exact_sizes_progress_and_white_paper(
    onnx_extractor: LineExtractor, illustration: np.ndarray
) -> None:
    image = illustration[200:, 200:]
    for shape in [(1, 1), (5, 70), (33, 17), (150, 130)]:
        calls: list[tuple[int, int]] = []
        rgb = image[: shape[0], : shape[1]].copy()
        ink = onnx_extractor.predict_ink(rgb, progress=lambda d, t, calls=calls: calls.append((d, t)))
        assert ink.shape == shape and ink.dtype == np.float32
        assert ink.min() >= 0.0 and ink.max() <= 1.0
        assert calls[-1][0] == calls[-1][1]
    blank = np.asarray(onnx_extractor(np.full((64, 96, 3), 255, np.uint8)))
    assert blank.shape == (64, 96) and (blank >= 250).mean() > 0.99


def test_backend_is_the_same_object_across_threads(
    onnx_extractor: LineExtractor, illustration: np.ndarray
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    imgs = [illustration[96 * s : 96 * (s + 1), 300:396] for s in range(4)]
    sequential = [np.asarray(onnx_extractor(i)) for i in imgs]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda i: np.asarray(onnx_extractor(i)), imgs))
    assert all(np.array_equal(a, b) for a, b in zip(sequential, threaded))


def test_output_equals_the_torch_install_reference(illustration: np.ndarray) -> None:
    reference = os.environ.get(REFERENCE_ENV)
    if not reference:
        pytest.skip(f"{REFERENCE_ENV} not set (.ci/run sets it for its torch-free step)")
    expected = np.asarray(Image.open(reference).convert("L"), np.int16)
    got = np.asarray(LineExtractor.from_pretrained(backend="onnxruntime")(illustration), np.int16)
    assert got.shape == expected.shape
    _assert_same_line_art(expected, got)


def test_senga_extract_runs_without_torch(tmp_path: Path) -> None:
    out = tmp_path / "lines.png"
    code = f"""
import json
from senga.cli.main import main
from senga.extract import LineExtractor
rc = main(["extract", {str(EXAMPLE)!r}, "-o", {str(out)!r}, "-q"])
ex = LineExtractor.from_pretrained()
print(json.dumps({{"rc": rc, "backend": ex.backend.name, "torch": sys.modules.get("torch") is not None}}))
"""
    done = run_without_torch(code, tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"rc": 0, "backend": "onnxruntime", "torch": False}
    lines = np.asarray(Image.open(out))
    assert lines.shape == read_rgb(EXAMPLE).shape[:2] and lines.dtype == np.uint8
    assert (lines < 128).mean() > 0.01 and (lines > 250).mean() > 0.5  # lines on white paper


@pytest.mark.parametrize(
    "command", [["bench"], ["train", "--data", "x", "--out", "y"], ["export", "default"]]
)
def test_torch_commands_say_how_to_install_torch(tmp_path: Path, command: list[str]) -> None:
    done = run_without_torch(
        f"from senga.cli.main import main\nraise SystemExit(main({command!r}))", tmp_path
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [f"senga: error: senga {command[0]} {TORCH_MISSING}"]
    assert "pip install torch==2.13.0" in TORCH_MISSING and "pip install -e '.[torch]'" in TORCH_MISSING


def test_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"nope: no such model folder or file"):
        LineExtractor.from_pretrained(tmp_path / "nope", backend="onnxruntime")
    (tmp_path / "folder").mkdir()
    with pytest.raises(
        ValueError, match=r"folder: no model.onnx in this model folder; make it with `senga export"
    ):
        LineExtractor.from_pretrained(tmp_path / "folder", backend="onnxruntime")
    (tmp_path / "weights.bin").write_bytes(b"x")
    with pytest.raises(ValueError, match=r"weights.bin: not an ONNX file"):
        LineExtractor.from_pretrained(tmp_path / "weights.bin", backend="onnxruntime")
    (tmp_path / "bad.onnx").write_bytes(b"not a protobuf")
    with pytest.raises(ValueError, match=r"bad.onnx: not a usable ONNX model"):
        LineExtractor.from_pretrained(tmp_path / "bad.onnx", backend="onnxruntime")
    with pytest.raises(ValueError, match="half precision is available with the torch backend only"):
        LineExtractor.from_pretrained(backend="onnxruntime", half=True)
    with pytest.raises(ValueError, match="backend must be one of auto, torch, onnxruntime; got 'tf'"):
        LineExtractor.from_pretrained(backend="tf")
    with pytest.raises(ValueError, match="tile must be >= 32"):
        LineExtractor.from_pretrained(backend="onnxruntime", tile=8)
    import onnxruntime

    if "CUDAExecutionProvider" not in onnxruntime.get_available_providers():
        with pytest.raises(ValueError, match="onnxruntime has no CUDA provider"):
            LineExtractor.from_pretrained(backend="onnxruntime", device="cuda")


def test_an_onnx_file_without_senga_metadata_is_refused(tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx", reason="builds a foreign ONNX file")
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Identity", ["rgb"], ["ink"])],
        "g",
        [helper.make_tensor_value_info("rgb", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("ink", TensorProto.FLOAT, None)],
    )
    path = tmp_path / "foreign.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    with pytest.raises(ValueError, match=r"foreign.onnx: not a senga ONNX model \(no senga.size_multiple"):
        OnnxBackend(path, device="cpu")


def test_default_backend_follows_what_is_installed() -> None:
    import importlib.util

    expected = "torch" if importlib.util.find_spec("torch") is not None else "onnxruntime"
    assert resolve_backend(None) == resolve_backend("auto") == expected
    assert resolve_backend("onnxruntime") == "onnxruntime"
