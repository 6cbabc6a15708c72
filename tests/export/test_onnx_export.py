"""ONNX export: dynamic sizes, the size_multiple contract, metadata, float16 storage, the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="export needs PyTorch (pip install -e '.[torch]')")
pytest.importorskip("onnx", reason="export needs the onnx package (pip install onnx)")

from torch import nn  # noqa: E402 - after the importorskip above

from senga.cli.main import main  # noqa: E402 - after the importorskip above
from senga.data.synth import generate_pair  # noqa: E402 - after the importorskip above
from senga.export import export_onnx, sha256_file  # noqa: E402 - after the importorskip above
from senga.extract import LineExtractor  # noqa: E402 - after the importorskip above
from senga.extract.backends import META_SOURCE_SHA256, OnnxBackend  # noqa: E402 - after the importorskip above
from senga.models import create_model, save_pretrained  # noqa: E402 - after the importorskip above


def lively(model: nn.Module, seed: int = 0) -> nn.Module:
    """Default (Kaiming) conv init and measured batch-norm statistics: an output that varies
    (the paper's init gives a near-constant map), rounded to float16 like saved weights."""
    torch.manual_seed(seed)
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            m.reset_parameters()
            if m.out_channels == 1:  # the output conv: logits with a spread of a few units
                m.weight.data.mul_(8.0)
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = None
    model.train()
    with torch.no_grad():
        model(torch.from_numpy(generate_pair(1, 128)[0].copy()).permute(2, 0, 1)[None].float() / 255)
    return model.half().float().eval()


@pytest.fixture(scope="module")
def senga_model() -> nn.Module:
    return lively(create_model("senga-noattn"))


@pytest.fixture(scope="module")
def senga_onnx(senga_model: nn.Module, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_onnx(senga_model, tmp_path_factory.mktemp("onnx") / "senga.onnx")


@pytest.mark.parametrize("shape", [(1, 1), (37, 50), (200, 90)])
def test_onnx_backend_equals_torch_at_any_size(
    senga_model: nn.Module, senga_onnx: Path, shape: tuple[int, int]
) -> None:
    rgb = generate_pair(2, 320)[0][100 : 100 + shape[0], 100 : 100 + shape[1]].copy()
    kw = {"tile": 64, "overlap": 32, "batch_size": 2}
    ref = LineExtractor.from_model(senga_model, device="cpu", **kw).predict_ink(rgb)
    got = LineExtractor(senga_onnx, backend="onnxruntime", **kw).predict_ink(rgb)
    assert got.shape == shape
    assert ref.std() > 0.01 or shape == (1, 1)  # the comparison is not between two flat maps
    assert np.abs(got - ref).max() < 1e-4


def test_metadata_and_float16_storage(senga_model: nn.Module, senga_onnx: Path) -> None:
    backend = OnnxBackend(senga_onnx, device="cpu")
    assert (backend.size_multiple, backend.min_size, backend.model_name) == (16, 32, "senga-noattn")
    n_params = sum(t.numel() for t in senga_model.state_dict().values() if t.is_floating_point())
    size = senga_onnx.stat().st_size
    assert 2 * n_params < size < 2.2 * n_params  # float16 weights: half of float32's 4 bytes each


def test_weights_not_exact_in_float16_stay_float32(tmp_path: Path) -> None:
    model = create_model("senga")  # paper init: not representable in float16
    path = export_onnx(model, tmp_path / "m.onnx")
    n_params = sum(t.numel() for t in model.state_dict().values() if t.is_floating_point())
    assert path.stat().st_size > 4 * n_params


def test_another_size_multiple_pix2pix(tmp_path: Path) -> None:
    model = lively(create_model("pix2pix-unet", ngf=8, num_downs=6))
    assert model.size_multiple == 64
    path = export_onnx(model, tmp_path / "p.onnx")
    rgb = generate_pair(4, 160)[0][:70, :150].copy()
    ref = LineExtractor.from_model(model, device="cpu").predict_ink(rgb)
    got = LineExtractor(path, backend="onnxruntime").predict_ink(rgb)
    assert OnnxBackend(path).size_multiple == 64
    assert np.abs(got - ref).max() < 1e-4


def test_refusals(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="morph_input=True"):
        export_onnx(create_model("senga-noattn", morph_input=True), tmp_path / "m.onnx")
    with pytest.raises(ValueError, match="has no size_multiple: not a senga generator"):
        export_onnx(nn.Conv2d(3, 1, 3), tmp_path / "c.onnx")
    with pytest.raises(ValueError, match=r"x.bin: the output must be a .onnx file"):
        export_onnx(create_model("senga"), tmp_path / "x.bin")


def test_cli_exports_a_folder_next_to_its_weights_and_extract_uses_it(
    senga_model: nn.Module, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = save_pretrained(senga_model, tmp_path / "model", dtype=torch.float16)
    assert main(["export", str(folder), "-q"]) == 0
    onnx = folder / "model.onnx"
    assert OnnxBackend(onnx).metadata[META_SOURCE_SHA256] == sha256_file(folder / "model.safetensors")
    image = tmp_path / "art.png"
    from PIL import Image

    Image.fromarray(generate_pair(5, 96)[0]).save(image)
    outs = {}
    for backend in ("torch", "onnxruntime"):
        out = tmp_path / f"{backend}.png"
        assert (
            main(["extract", str(image), "-o", str(out), "--model", str(folder), "--backend", backend, "-q"])
            == 0
        )
        outs[backend] = np.asarray(Image.open(out), np.int16)
    assert np.abs(outs["torch"] - outs["onnxruntime"]).max() <= 1
    assert (
        main(
            [
                "extract",
                str(image),
                "-o",
                str(tmp_path / "x.png"),
                "--model",
                str(tmp_path),
                "--backend",
                "onnxruntime",
            ]
        )
        == 2
    )
    assert "no model.onnx in this model folder" in capsys.readouterr().err
