"""Registry: names, defaults, overrides, and the errors users see."""

from __future__ import annotations

import pytest

from senga.models import (
    GeneratorConfig,
    PatchGAN,
    Pix2PixUNet,
    SengaGenerator,
    config_fields,
    create_model,
)


def test_names_build_the_right_classes_and_defaults() -> None:
    assert isinstance(create_model("senga"), SengaGenerator)
    assert create_model("senga").config.attention is True
    assert create_model("senga-noattn").config.attention is False
    assert create_model("senga-noattn").attention is None
    assert isinstance(create_model("pix2pix-unet", ngf=4, num_downs=5), Pix2PixUNet)
    assert isinstance(create_model("patchgan", ndf=4), PatchGAN)
    for name in ("senga", "senga-noattn", "patchgan"):
        assert create_model(name).config.name == name


def test_overrides_reach_the_config() -> None:
    model = create_model("senga-noattn", morph_input=True, decoder_kernel=5)
    assert model.config == GeneratorConfig(
        name="senga-noattn", attention=False, morph_input=True, decoder_kernel=5
    )


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(
        ValueError,
        match=r"unknown model 'unet'; valid names: senga, "
        r"senga-noattn, pix2pix-unet, patchgan",
    ):
        create_model("unet")


def test_unknown_field_is_named_and_valid_fields_listed() -> None:
    with pytest.raises(
        ValueError,
        match=r"model 'senga': unknown config field 'atention' "
        r"\(valid config fields: in_channels, attention, morph_input",
    ):
        create_model("senga", atention=False)
    with pytest.raises(ValueError, match="unknown config field 'name'"):
        create_model("senga", name="other")
    assert "ngf" in config_fields("pix2pix-unet") and "name" not in config_fields("patchgan")


@pytest.mark.parametrize(
    ("name", "field", "value", "match"),
    [
        ("senga", "decoder_kernel", 4, r"GeneratorConfig.decoder_kernel: must be an odd integer"),
        ("senga", "upsample", "cubic", r"GeneratorConfig.upsample: must be one of nearest"),
        ("senga", "in_channels", 0, r"GeneratorConfig.in_channels: must be >= 1, got 0"),
        ("pix2pix-unet", "num_downs", 3, r"Pix2PixConfig.num_downs: must be >= 5, got 3"),
        ("patchgan", "n_layers", 0, r"PatchGANConfig.n_layers: must be >= 1, got 0"),
    ],
)
def test_invalid_values_name_the_field(name, field, value, match) -> None:
    with pytest.raises(ValueError, match=match):
        create_model(name, **{field: value})


def test_morph_input_needs_rgb() -> None:
    with pytest.raises(ValueError, match=r"morph_input: needs RGB input .*got in_channels=1"):
        create_model("senga", in_channels=1, morph_input=True)
