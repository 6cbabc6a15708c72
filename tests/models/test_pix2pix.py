"""The pix2pix baseline: reference layer counts, output mapping, PatchGAN patches."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from senga.models import PatchGAN, Pix2PixUNet, count_parameters, create_model


def test_unet_256_parameter_count_matches_reference_layers() -> None:
    """Reference unet_256 (ngf=64, BN) with 3 inputs and 1 output channel, summed by hand."""
    down = 3 * 64 + 64 * 128 + 128 * 256 + 256 * 512 + 4 * 512 * 512  # k4x4, no bias
    up = 512 * 512 + 3 * 1024 * 512 + 1024 * 256 + 512 * 128 + 256 * 64 + 128 * 1
    bn = (128 + 256 + 4 * 512) + (4 * 512 + 256 + 128 + 64)  # down norms + up norms
    expected = 16 * (down + up) + 2 * bn + 1  # + the outermost up-conv bias
    assert expected == 54_409_857  # the reference's 3-output model has 54.414 M
    assert count_parameters(create_model("pix2pix-unet")) == expected


def test_unet_structure_dropout_and_tanh() -> None:
    model = create_model("pix2pix-unet")
    mods = list(model.modules())
    assert sum(isinstance(m, nn.Conv2d) for m in mods) == 8
    assert sum(isinstance(m, nn.ConvTranspose2d) for m in mods) == 8
    assert sum(isinstance(m, nn.Dropout) for m in mods) == 3
    assert isinstance(model.model.model[-1], nn.Tanh)


def test_unet_output_is_tanh_mapped_to_unit_range() -> None:
    model = create_model("pix2pix-unet", ngf=4, num_downs=5).eval()
    x = torch.rand(1, 3, 32, 32)
    raw = model.model(2 * x - 1)  # tanh output of the bare U-Net
    with torch.no_grad():
        torch.testing.assert_close(model(x), (raw + 1) / 2)


def test_unet_pads_to_a_multiple_of_two_to_the_num_downs() -> None:
    model = create_model("pix2pix-unet", ngf=4, num_downs=6).eval()
    assert model.size_multiple == 64
    seen = []
    model.model.register_forward_hook(lambda m, i, o: seen.append(tuple(i[0].shape[-2:])))
    with torch.no_grad():
        model(torch.rand(1, 3, 70, 5))
    assert seen == [(128, 64)]


def test_init_is_normal_0_002() -> None:
    model = create_model("pix2pix-unet")
    w = torch.cat([m.weight.flatten() for m in model.modules() if isinstance(m, nn.Conv2d)])
    assert abs(w.mean()) < 1e-3 and abs(w.std() - 0.02) < 1e-3
    bn = torch.cat([m.weight for m in model.modules() if isinstance(m, nn.BatchNorm2d)])
    assert abs(bn.mean() - 1.0) < 5e-3 and abs(bn.std() - 0.02) < 5e-3


def test_patchgan_reference_layers_and_patch_grid() -> None:
    model = create_model("patchgan")
    ref_6ch = 2_768_705  # reference basic D on 6 channels: 2.769 M
    assert count_parameters(model) == ref_6ch - 2 * 64 * 16  # 4 input channels here
    out = model.eval()(torch.rand(2, 3, 256, 256), torch.rand(2, 1, 256, 256))
    assert out.shape == (2, 1, 30, 30)  # the 70x70 PatchGAN grid on 256x256


def test_patchgan_receptive_field_is_70() -> None:
    model = create_model("patchgan", ndf=4).eval()
    rgb = torch.zeros(1, 3, 128, 128, requires_grad=True)
    out = model(rgb, torch.zeros(1, 1, 128, 128))
    out[0, 0, 7, 7].backward()
    rows = rgb.grad.abs().sum(dim=(0, 1, 3)).nonzero().flatten()
    assert rows.max() - rows.min() + 1 == 70


def test_patchgan_errors() -> None:
    model = create_model("patchgan", ndf=4)
    with pytest.raises(ValueError, match="at least 24x24"):
        model(torch.rand(1, 3, 23, 40), torch.rand(1, 1, 23, 40))
    with pytest.raises(ValueError, match=r"expected rgb \(N, 3, H, W\)"):
        model(torch.rand(1, 3, 32, 32), torch.rand(1, 3, 32, 32))
    assert isinstance(model, PatchGAN) and not isinstance(model, Pix2PixUNet)
