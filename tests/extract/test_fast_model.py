"""The bundled ``fast`` model: registered beside ``default``, at most a quarter of its FLOPs,
float16 safetensors + config.json + an ONNX file exported from exactly these weights and
agreeing within 1/255, and reachable from every front end (API, CLI, serve's loader,
ComfyUI, the Ray engine's extractor factory)."""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from senga.extract import LineExtractor
from senga.weights import available_bundled_models, bundled_model_dir, model_label, resolve_model_dir

FAST = bundled_model_dir("fast")
pytestmark = pytest.mark.skipif(
    not (FAST / "model.safetensors").is_file(), reason=f"the fast model is not installed in {FAST}"
)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "illustration.png"


def _crop() -> np.ndarray:
    from senga.io import read_rgb

    return read_rgb(EXAMPLE)[:160, :208]


def test_fast_is_registered_and_shipped() -> None:
    assert "fast" in available_bundled_models()
    assert resolve_model_dir("fast") == FAST
    assert (FAST / "config.json").is_file() and (FAST / "model.onnx").is_file()
    assert not list(FAST.glob("*.pt*")) and not list(FAST.glob("*.pkl"))
    assert "fast" in model_label("fast")


def test_fast_model_is_a_quarter_of_the_flops_and_float16() -> None:
    torch = pytest.importorskip("torch", reason="FLOP counting needs PyTorch")
    from safetensors import safe_open

    from senga.models import flops_per_megapixel, from_pretrained

    fast, default = from_pretrained("fast"), from_pretrained("default")
    assert fast.config.width < 1.0
    assert flops_per_megapixel(fast) <= flops_per_megapixel(default) / 4
    with safe_open(str(FAST / "model.safetensors"), "pt") as f:
        dtypes = {f.get_tensor(k).dtype for k in f.keys()}  # noqa: SIM118 - safe_open is no dict
    assert torch.float16 in dtypes and torch.float32 not in dtypes


def test_save_load_round_trip(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch", reason="save/load needs PyTorch")
    from senga.models import from_pretrained, save_pretrained

    model = from_pretrained("fast")
    again = from_pretrained(save_pretrained(model, tmp_path / "copy", dtype=torch.float16))
    assert again.config == model.config
    x = torch.rand(1, 3, 48, 64)
    with torch.no_grad():
        assert torch.equal(again(x), model(x))


def test_onnx_is_exported_from_these_weights_and_agrees() -> None:
    pytest.importorskip("onnxruntime", reason="the ONNX check needs onnxruntime")
    pytest.importorskip("torch", reason="the comparison needs the torch backend")
    from senga.extract.backends import META_SOURCE_SHA256, OnnxBackend

    recorded = OnnxBackend(FAST / "model.onnx", device="cpu").metadata.get(META_SOURCE_SHA256)
    assert recorded == hashlib.sha256((FAST / "model.safetensors").read_bytes()).hexdigest(), (
        "weights/fast/model.onnx is stale: run `senga export fast -o src/senga/weights/fast/model.onnx`"
    )
    rgb = _crop()
    for tiling in ({}, {"tile": 64, "overlap": 32, "batch_size": 3}):  # untiled, and tiled in batches
        a = LineExtractor.from_pretrained("fast", device="cpu", backend="torch", **tiling)(rgb)
        b = LineExtractor.from_pretrained("fast", backend="onnxruntime", **tiling)(rgb)
        assert np.abs(np.asarray(a, np.int16) - np.asarray(b, np.int16)).max() <= 1


def test_fast_model_extracts_lines_like_the_default() -> None:
    """A broken model (wrong weights, ink convention) fails; a fair distillation passes easily."""
    pytest.importorskip("torch", reason="the torch backend needs PyTorch")
    from senga.io import gray_to_ink
    from senga.metrics import scores

    rgb = _crop()
    teacher = gray_to_ink(np.asarray(LineExtractor.from_pretrained("default", device="cpu")(rgb)))
    fast = gray_to_ink(np.asarray(LineExtractor.from_pretrained("fast", device="cpu")(rgb)))
    assert fast.shape == teacher.shape
    assert scores(fast, (teacher > 0.5).astype(np.float32))["F1"] > 0.5


def test_cli_extract_model_fast(tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="the default backend here is torch")
    src = tmp_path / "in.png"
    Image.fromarray(_crop()).save(src)
    out = tmp_path / "out.png"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "senga",
            "extract",
            str(src),
            "-o",
            str(out),
            "--model",
            "fast",
            "--device",
            "cpu",
            "--max-side",
            "128",
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert Image.open(out).size == (208, 160)


def test_serve_ray_and_comfyui_load_fast() -> None:
    """serve and both extract engines build their extractor from the same flags; ComfyUI lists fast."""
    pytest.importorskip("torch", reason="these front ends run the torch backend")
    from senga.cli.extract import add_arguments, build_extractor
    from senga.cli.extract_ray import _actor_args
    from senga.integrations.comfyui import load_model
    from senga.integrations.comfyui.nodes import model_choices

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["in.png", "--model", "fast", "--device", "cpu", "--max-side", "512"])
    extractor = build_extractor(_actor_args(args))  # what every Ray actor builds
    assert extractor.model.config.width < 1.0 and extractor.max_side == 512
    assert "fast" in model_choices()
    assert load_model("fast", "cpu").module.config.width < 1.0
    assert LineExtractor.from_pretrained("fast", device="cpu").model.config.width < 1.0
