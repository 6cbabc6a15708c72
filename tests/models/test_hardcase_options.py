"""Options for the paper's open problems: local-contrast input channels and dilated bottleneck blocks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from senga.models import create_model, from_pretrained, save_pretrained
from senga.models.config import GeneratorConfig
from senga.models.extend import widen_pretrained
from senga.models.generator import SengaGenerator
from senga.models.hardcase_blocks import local_contrast


def _lively(model: nn.Module) -> nn.Module:
    """Default (Kaiming) init and non-trivial BN statistics: an output that varies with the input."""
    torch.manual_seed(1)
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            m.reset_parameters()
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = None
    model.train()
    with torch.no_grad():
        model(torch.rand(2, 3, 64, 64))
    return model.eval()


def test_config_fields_and_channels() -> None:
    assert GeneratorConfig().contrast_input is False and GeneratorConfig().dilated_blocks == 0
    assert GeneratorConfig(contrast_input=True).net_in_channels == 6
    assert GeneratorConfig(contrast_input=True, morph_input=True).net_in_channels == 7
    with pytest.raises(ValueError, match="dilated_blocks"):
        GeneratorConfig(dilated_blocks=-1)
    with pytest.raises(ValueError, match="contrast_input"):
        GeneratorConfig(in_channels=1, contrast_input=True)


@pytest.mark.parametrize("size", [(1, 1), (5, 7), (37, 50), (64, 64)])
def test_shapes_any_size(size: tuple[int, int]) -> None:
    model = create_model("senga", contrast_input=True, dilated_blocks=2).eval()
    with torch.no_grad():
        out = model(torch.rand(2, 3, *size))
    assert out.shape == (2, 1, *size) and torch.all((out >= 0) & (out <= 1))
    assert model.encoder[0].conv[1].weight.shape[1] == 6
    assert model.decoder[-1].conv[1].weight.shape[1] == 32 + 6


def test_local_contrast() -> None:
    rgb = torch.full((1, 3, 40, 40), 0.6)
    assert torch.all(local_contrast(rgb) == 0)  # flat fill: no contrast
    rgb[..., 20, :] = 0.6 - 30 / 255  # a line 30 levels darker than its fill
    lc = local_contrast(rgb)
    assert lc.shape == rgb.shape and 0.3 < float(lc[0, 0, 20, 20]) < 0.5
    assert float(lc[0, 0, 5, 20]) == 0.0  # far from the line
    assert local_contrast(torch.rand(1, 3, 2, 3)).shape == (1, 3, 2, 3)  # tiny inputs


def test_new_parts_start_as_no_ops() -> None:
    base = _lively(SengaGenerator())
    wide = widen_pretrained(base, contrast_input=True, dilated_blocks=1)
    x = torch.rand(2, 3, 48, 80)
    with torch.no_grad():
        assert torch.equal(base(x), wide(x))
    base.train(), wide.train()
    with torch.no_grad():
        assert torch.allclose(base(x), wide(x), atol=1e-6)
    # ... and they learn: the new weights get gradients once the block's gate moves
    wide.train()
    loss = wide(x).mean()
    loss.backward()
    assert float(wide.encoder[0].conv[1].weight.grad[:, -3:].abs().sum()) > 0
    assert float(wide.context[0].body[-1].weight.grad.abs().sum()) > 0


def test_widen_refuses_other_fields() -> None:
    with pytest.raises(ValueError, match="cannot be widened"):
        widen_pretrained(SengaGenerator(), attention=False)


def test_fresh_model_zero_inits_contrast_weights() -> None:
    model = create_model("senga", contrast_input=True, dilated_blocks=1)
    assert torch.all(model.encoder[0].conv[1].weight[:, 3:] == 0)
    assert torch.all(model.decoder[-1].conv[1].weight[:, -3:] == 0)
    assert torch.all(model.context[0].body[-1].weight == 0)


def test_save_load_round_trip(tmp_path: Path) -> None:
    model = _lively(create_model("senga", contrast_input=True, dilated_blocks=1))
    save_pretrained(model, tmp_path / "m")
    back = from_pretrained(tmp_path / "m")
    assert back.config.contrast_input and back.config.dilated_blocks == 1
    x = torch.rand(1, 3, 40, 56)
    with torch.no_grad():
        assert torch.equal(model(x), back(x))


def test_paper_presets_unchanged() -> None:
    from senga.train import get_preset

    for name in ("ours", "wo-attn", "dice", "exp5"):
        cfg = get_preset(name)
        assert "contrast_input" not in cfg.model_config and "dilated_blocks" not in cfg.model_config
    hard = get_preset("ours-hardcases")
    assert hard.model_config == {"contrast_input": True, "dilated_blocks": 1}
    assert (hard.loss, hard.loss_params, hard.lr) == (
        get_preset("ours").loss,
        get_preset("ours").loss_params,
        1e-3,
    )


def test_onnx_export_agrees_with_torch(tmp_path: Path) -> None:
    pytest.importorskip("onnx", reason="export needs the onnx package")
    pytest.importorskip("onnxruntime", reason="the ONNX backend needs onnxruntime")
    from senga.export import export_onnx
    from senga.extract.backends import OnnxBackend

    model = _lively(create_model("senga", contrast_input=True, dilated_blocks=1)).half().float()
    path = export_onnx(model, tmp_path / "m.onnx")
    backend = OnnxBackend(path, device="cpu")
    from senga.data.synth.hardcases import hard_case

    for h, w in ((64, 96), (50, 70)):  # a size that the backend pads
        tiles = hard_case("low-contrast", 0, 0, (h, w)).rgb[None]
        with torch.no_grad():
            want = model(torch.from_numpy(tiles).permute(0, 3, 1, 2).float() / 255)[:, 0].numpy()
        got = backend.run(tiles)
        assert got.shape == want.shape and np.abs(got - want).max() <= 1 / 255
