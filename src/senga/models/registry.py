"""Model registry: ``create_model(name, **config)`` builds any senga network by name.

==================  ====================  ============================================
name                class                 defaults
==================  ====================  ============================================
``senga``           SengaGenerator        the paper's U-Net with attention
``senga-noattn``    SengaGenerator        the same without attention ("W/o attn")
``pix2pix-unet``    Pix2PixUNet           pix2pix ``unet_256`` generator
``patchgan``        PatchGAN              pix2pix 70x70 discriminator
==================  ====================  ============================================
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from torch import nn

from senga.errors import check_known
from senga.models.config import GeneratorConfig, ModelConfig, PatchGANConfig, Pix2PixConfig
from senga.models.generator import SengaGenerator
from senga.models.pix2pix import PatchGAN, Pix2PixUNet


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """How to build one registry entry: its config class, defaults and model class."""

    config_cls: type[ModelConfig]
    model_cls: Callable[[Any], nn.Module]
    defaults: dict[str, Any]
    summary: str


_REGISTRY: dict[str, ModelSpec] = {
    "senga": ModelSpec(
        GeneratorConfig,
        SengaGenerator,
        {"attention": True},
        "the paper's U-Net generator with darkening/brightening attention",
    ),
    "senga-noattn": ModelSpec(
        GeneratorConfig, SengaGenerator, {"attention": False}, "the paper's U-Net generator without attention"
    ),
    "pix2pix-unet": ModelSpec(Pix2PixConfig, Pix2PixUNet, {}, "pix2pix unet_256 generator (baseline)"),
    "patchgan": ModelSpec(PatchGANConfig, PatchGAN, {}, "pix2pix 70x70 PatchGAN discriminator (baseline)"),
}


def list_models() -> list[str]:
    """Registry names, in the order of the table above."""
    return list(_REGISTRY)


def model_summary(name: str) -> str:
    """One line describing registry entry ``name``."""
    return _spec(name).summary


def _spec(name: str) -> ModelSpec:
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown model {name!r}; valid names: {', '.join(_REGISTRY)}") from None


def config_fields(name: str) -> list[str]:
    """Config fields that ``create_model(name, **config)`` accepts."""
    return [f.name for f in dataclasses.fields(_spec(name).config_cls) if f.name != "name"]


def make_config(name: str, /, **config: Any) -> ModelConfig:
    """The config ``create_model(name, **config)`` uses: registry defaults, then ``config``."""
    spec = _spec(name)
    check_known(config, config_fields(name), f"model {name!r}", "config field")
    return spec.config_cls(name=name, **{**spec.defaults, **config})


def create_model(name: str, /, **config: Any) -> nn.Module:
    """Build registry model ``name`` with config overrides; weights freshly initialised.

    Example::

        model = create_model("senga-noattn", morph_input=True)
        model.config.attention  # False

    Raises:
        ValueError: unknown name (lists valid names), unknown config field
            (names it and lists valid ones), or an invalid value.
    """
    return _spec(name).model_cls(make_config(name, **config))
