"""One base test run for every registry model: shapes, range, gradients, save/load."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from senga.models import create_model, from_pretrained, list_models, save_pretrained

GENERATORS = ("senga", "senga-noattn", "pix2pix-unet")


def test_registry_lists_exactly_the_four_models() -> None:
    assert list_models() == ["senga", "senga-noattn", "pix2pix-unet", "patchgan"]


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("size", [(1, 1), (17, 33), (70, 45)])
def test_generator_output_is_ink_at_input_size(name, size, small_config) -> None:
    model = create_model(name, **small_config(name)).eval()
    with torch.no_grad():
        out = model(torch.rand(2, 3, *size))
    assert out.shape == (2, 1, *size)
    assert torch.isfinite(out).all()
    assert out.min() >= 0.0 and out.max() <= 1.0


@pytest.mark.parametrize("name", GENERATORS)
def test_generator_output_in_unit_range_in_train_mode(name, small_config) -> None:
    out = create_model(name, **small_config(name)).train()(torch.rand(2, 3, 21, 40))
    assert out.shape == (2, 1, 21, 40)
    assert out.min() >= 0.0 and out.max() <= 1.0


@pytest.mark.parametrize("name", list_models())
def test_every_parameter_receives_a_nonzero_gradient(name, small_config, model_inputs) -> None:
    model = create_model(name, **small_config(name)).train()
    out = model(*model_inputs(name, 2, 32, 40))
    F.mse_loss(out, torch.rand_like(out)).backward()
    for pname, p in model.named_parameters():
        assert p.grad is not None, f"{pname} got no gradient"
        assert torch.isfinite(p.grad).all(), f"{pname} has a non-finite gradient"
        assert p.grad.abs().sum() > 0, f"{pname} has an all-zero gradient"


@pytest.mark.parametrize("name", list_models())
def test_save_load_gives_identical_outputs(name, small_config, model_inputs, tmp_path) -> None:
    model = create_model(name, **small_config(name))
    model.train()(*model_inputs(name, 2, 32, 32))  # move BN running stats off their init
    model.eval()
    save_pretrained(model, tmp_path / "m")
    loaded = from_pretrained(tmp_path / "m")
    assert not loaded.training
    assert loaded.config == model.config
    x = model_inputs(name, 1, 35, 29)
    with torch.no_grad():
        assert torch.equal(model(*x), loaded(*x))


@pytest.mark.parametrize("name", list_models())
def test_fp16_storage_loads_into_fp32_close_to_original(name, small_config, model_inputs, tmp_path) -> None:
    model = create_model(name, **small_config(name))
    model.train()(*model_inputs(name, 2, 32, 32))
    model.eval()
    save_pretrained(model, tmp_path / "half", dtype=torch.float16)
    save_pretrained(model, tmp_path / "full")
    half_bytes = (tmp_path / "half" / "model.safetensors").stat().st_size
    full_bytes = (tmp_path / "full" / "model.safetensors").stat().st_size
    assert half_bytes < 0.6 * full_bytes
    loaded = from_pretrained(tmp_path / "half")
    assert all(p.dtype == torch.float32 for p in loaded.parameters())
    x = model_inputs(name, 1, 32, 32)
    with torch.no_grad():
        ref, got = model(*x), loaded(*x)
    # fp16 keeps ~3 significant digits per weight; the error through the net stays small.
    scale = ref.abs().max().clamp_min(1.0)
    assert (ref - got).abs().max() <= 2e-2 * scale
