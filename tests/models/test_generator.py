"""The paper's U-Net: layer sizes, init, padding, attention wiring, morph input, cost."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from senga.models import (
    GeneratorConfig,
    SengaGenerator,
    count_flops,
    count_parameters,
    create_model,
)
from senga.models.padding import pad_to_multiple

# (in, out, kernel, stride of the output w.r.t. the padded input) per conv, from
# docs/paper.md, "Network" and the wiring in docs/network.md.
ENCODER = [(3, 32, 4, 2), (32, 64, 4, 4), (64, 128, 4, 8), (128, 256, 4, 16)]
RESIDUAL = [(256, 256, 3, 16)] * 4
DECODER = [
    (256, 256, 3, 16),  # d1 on the residual output
    (256 + 128, 128, 3, 8),  # d2: up(d1) ++ e3
    (128 + 64, 64, 3, 4),  # d3: up(d2) ++ e2
    (64 + 32, 32, 3, 2),  # d4: up(d3) ++ e1
    (32, 32, 3, 2),  # d5
    (32 + 3, 1, 3, 1),  # d6: up(d5) ++ input
]


def test_parameter_count_matches_the_layer_table() -> None:
    convs = sum(i * o * k * k for i, o, k, _ in ENCODER + RESIDUAL + DECODER)
    conv_biases = 32 + 1  # e1 and d6: the U-Net convs without a following batch norm
    bn_channels = (64 + 128 + 256) + 4 * 256 + (256 + 128 + 64 + 32 + 32)
    attention = 2 * (2 + 2) + (2 + 1)  # two (1x1 conv w+b) x 2 modules, fuse 2 w + 1 b
    expected = convs + conv_biases + 2 * bn_channels + attention
    assert expected == 4_232_935
    assert count_parameters(create_model("senga")) == expected
    assert count_parameters(create_model("senga-noattn")) == expected - attention


@pytest.mark.parametrize(("h", "w", "ph", "pw"), [(32, 48, 32, 48), (17, 33, 32, 48), (1, 1, 32, 32)])
def test_flops_follow_the_conv_formula_on_the_padded_size(h, w, ph, pw) -> None:
    expected = sum(2 * i * o * k * k * (ph // s) * (pw // s) for i, o, k, s in ENCODER + RESIDUAL + DECODER)
    assert count_flops(create_model("senga"), h, w) == expected


def test_init_ranges_follow_the_paper() -> None:
    model = create_model("senga")
    for part in (model.encoder, model.residual, model.decoder):
        for m in part.modules():
            if isinstance(m, nn.Conv2d):
                assert m.weight.abs().max() <= 0.005
                assert m.weight.abs().max() > 0.004  # spread over the range, not ~0
                if m.bias is not None:
                    assert m.bias.abs().max() <= 0.005
            if isinstance(m, nn.BatchNorm2d):
                assert torch.equal(m.weight, torch.ones_like(m.weight))
                assert torch.equal(m.bias, torch.zeros_like(m.bias))
    att = model.attention
    for conv in (
        att.darkening.conv1,
        att.darkening.conv2,
        att.brightening.conv1,
        att.brightening.conv2,
        att.fuse,
    ):
        assert conv.weight.min() >= 0.0 and conv.weight.max() <= 1.0
        assert torch.equal(conv.bias, torch.zeros_like(conv.bias))


def test_batch_norm_placement() -> None:
    model = create_model("senga")
    enc_norms = [isinstance(b.norm, nn.BatchNorm2d) for b in model.encoder]
    assert enc_norms == [False, True, True, True]  # "BN in encoder layers 2, 3, 4"
    # BN on every decoder layer but the output layer (docs/network.md), which has a bias.
    assert all(isinstance(b.norm, nn.BatchNorm2d) for b in model.decoder[:-1])
    assert isinstance(model.decoder[-1].act, nn.Sigmoid)
    assert isinstance(model.decoder[-1].norm, nn.Identity)
    assert model.decoder[-1].conv[1].bias is not None
    literal = create_model("senga", final_norm=True)
    assert all(isinstance(b.norm, nn.BatchNorm2d) for b in literal.decoder)


def test_constant_image_gives_constant_output() -> None:
    """Reflection padding everywhere: white paper stays uniform, borders included."""
    model = create_model("senga").eval()
    for m in model.modules():  # non-trivial BN statistics
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
    with torch.no_grad():
        out = model(torch.ones(1, 3, 40, 57))
    assert out.shape == (1, 1, 40, 57)
    assert out.max() - out.min() < 1e-5


def test_padding_is_cropped_back_exactly() -> None:
    """model(x) == crop of the model run on x padded the same way by hand."""
    model = create_model("senga").eval()
    x = torch.rand(1, 3, 20, 37)
    padded, (left, right, top, bottom) = pad_to_multiple(x, 16, 32)
    assert padded.shape[-2:] == (32, 48)
    with torch.no_grad():
        full = model(padded)  # already a multiple of 16: no internal padding
        out = model(x)
    torch.testing.assert_close(out, full[..., top : 32 - bottom, left : 48 - right])


def test_attention_is_applied_to_the_unet_output() -> None:
    """senga(x) == AttentionFusion(senga-noattn(x)) with the same U-Net weights."""
    with_att = create_model("senga").eval()
    without = create_model("senga-noattn").eval()
    missing, unexpected = without.load_state_dict(with_att.state_dict(), strict=False)
    assert not missing and all(k.startswith("attention.") for k in unexpected)
    x = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(with_att(x), with_att.attention(without(x)))


def test_input_is_normalised_to_minus_one_one() -> None:
    model = create_model("senga")
    x = torch.tensor([0.0, 0.25, 1.0]).view(1, 3, 1, 1)
    assert model.network_input(x).flatten().tolist() == [-1.0, -0.5, 1.0]
    raw = create_model("senga", normalize_input=False)
    assert torch.equal(raw.network_input(x), x)


def test_morph_input_adds_a_fourth_channel_inside_forward() -> None:
    morph = pytest.importorskip("senga.classical.morph_torch")
    model = create_model("senga-noattn", morph_input=True).eval()
    assert model.encoder[0].conv[1].in_channels == 4
    assert model.decoder[-1].conv[1].in_channels == 32 + 4
    x = torch.rand(2, 3, 19, 26)
    net_in = model.network_input(x)
    assert net_in.shape == (2, 4, 19, 26)
    torch.testing.assert_close(net_in[:, 3:], 2.0 * morph.morph_lines_torch(x) - 1.0)
    with torch.no_grad():
        out = model(x)  # callers still pass RGB
    assert out.shape == (2, 1, 19, 26)


def test_bilinear_upsampling_and_kernel_options_build() -> None:
    model = create_model("senga", upsample="bilinear", decoder_kernel=5).eval()
    assert model.decoder[1].conv[1].kernel_size == (5, 5)
    with torch.no_grad():
        assert model(torch.rand(1, 3, 33, 18)).shape == (1, 1, 33, 18)


@pytest.mark.parametrize(
    ("x", "match"),
    [
        (torch.rand(1, 1, 8, 8), r"expected a float \(N, 3, H, W\)"),
        (torch.rand(3, 8, 8), r"got torch.float32 \(3, 8, 8\)"),
        (torch.zeros(1, 3, 8, 8, dtype=torch.uint8), "got torch.uint8"),
    ],
)
def test_bad_input_is_a_clear_error(x, match) -> None:
    with pytest.raises(ValueError, match=match):
        create_model("senga")(x)


def test_generator_builds_from_a_config_object() -> None:
    model = SengaGenerator(GeneratorConfig(attention=False))
    assert model.attention is None
    assert model.config.name == "senga"
