"""Config dataclasses: everything needed to rebuild a model, nothing else.

A model keeps the config it was built from as ``model.config``; a saved model
stores it (as a dict) in ``config.json`` beside the weights, so inference never
needs the training flags. Every check raises ``ValueError`` naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass

UPSAMPLE_MODES: tuple[str, ...] = ("nearest", "bilinear")
#: Channels added by ``GeneratorConfig.contrast_input`` (one per RGB channel).
CONTRAST_CHANNELS: int = 3


def _require(ok: bool, cls: str, field: str, problem: str) -> None:
    if not ok:
        raise ValueError(f"{cls}.{field}: {problem}")


@dataclass
class GeneratorConfig:
    """The paper's U-Net generator (docs/paper.md, "Network", "Attention modules").

    Registry names ``"senga"`` (attention on) and ``"senga-noattn"`` (off).
    """

    name: str = "senga"
    in_channels: int = 3  # channels callers pass (RGB in [0, 1])
    attention: bool = True  # darkening/brightening attention + 1x1 fuse on the output
    morph_input: bool = False  # add a morphological line map as an extra input channel (exp 5)
    decoder_kernel: int = 3  # kernel of every decoder conv (odd); the paper does not say
    upsample: str = "nearest"  # "nearest" or "bilinear", before each upsampling decoder conv
    normalize_input: bool = True  # map [0, 1] inputs to [-1, 1] inside forward
    input_skip: bool = True  # concatenate the (normalised) input to the last decoder block
    final_norm: bool = False  # batch norm before the last sigmoid too (off: it pins the output distribution, see docs/network.md)
    init_range: float = 0.005  # conv weights ~ U(-init_range, init_range)
    negative_slope: float = 0.2  # LeakyReLU slope (encoder, decoder, attention)
    ink_floor: float = (
        0.0  # eval mode: output ink below this is paper (0); the paper has none (docs/network.md)
    )
    contrast_input: bool = (
        False  # add 3 local-contrast channels (blur minus image, per RGB channel), zero-initialised
    )
    dilated_blocks: int = (
        0  # extra residual blocks with dilated convs (2, 4) after the paper's two, identity at init
    )
    width: float = 1.0  # channel multiplier (1 = the paper's); other values round channels to multiples of 8

    def __post_init__(self) -> None:
        cls = type(self).__name__
        _require(0.0 <= self.ink_floor < 1.0, cls, "ink_floor", f"must be in [0, 1), got {self.ink_floor}")
        _require(self.in_channels >= 1, cls, "in_channels", f"must be >= 1, got {self.in_channels}")
        _require(
            not self.morph_input or self.in_channels == 3,
            cls,
            "morph_input",
            f"needs RGB input (in_channels=3), got in_channels={self.in_channels}",
        )
        _require(
            self.decoder_kernel >= 1 and self.decoder_kernel % 2 == 1,
            cls,
            "decoder_kernel",
            f"must be an odd integer >= 1, got {self.decoder_kernel}",
        )
        _require(
            self.upsample in UPSAMPLE_MODES,
            cls,
            "upsample",
            f"must be one of {', '.join(UPSAMPLE_MODES)}, got {self.upsample!r}",
        )
        _require(
            not self.contrast_input or self.in_channels == 3,
            cls,
            "contrast_input",
            f"needs RGB input (in_channels=3), got in_channels={self.in_channels}",
        )
        _require(self.dilated_blocks >= 0, cls, "dilated_blocks", f"must be >= 0, got {self.dilated_blocks}")
        _require(0.0 < self.width <= 4.0, cls, "width", f"must be in (0, 4], got {self.width}")
        _require(self.init_range > 0, cls, "init_range", f"must be > 0, got {self.init_range}")
        _require(
            self.negative_slope >= 0,
            cls,
            "negative_slope",
            f"must be >= 0, got {self.negative_slope}",
        )

    @property
    def net_in_channels(self) -> int:
        """Channels entering the first conv: the input, the morph map and the contrast channels if enabled."""
        return self.in_channels + int(self.morph_input) + CONTRAST_CHANNELS * int(self.contrast_input)


@dataclass
class Pix2PixConfig:
    """Isola et al.'s U-Net generator (``unet_256``), output mapped to ink in [0, 1]."""

    name: str = "pix2pix-unet"
    in_channels: int = 3  # RGB in [0, 1]
    num_downs: int = 8  # stride-2 down blocks; inputs are padded to a multiple of 2**num_downs
    ngf: int = 64  # channels of the first down block
    use_dropout: bool = True  # dropout 0.5 in the 3 innermost 512-channel up blocks
    init_gain: float = 0.02  # conv weights ~ N(0, init_gain)

    def __post_init__(self) -> None:
        cls = type(self).__name__
        _require(self.in_channels >= 1, cls, "in_channels", f"must be >= 1, got {self.in_channels}")
        _require(self.num_downs >= 5, cls, "num_downs", f"must be >= 5, got {self.num_downs}")
        _require(self.ngf >= 1, cls, "ngf", f"must be >= 1, got {self.ngf}")
        _require(self.init_gain > 0, cls, "init_gain", f"must be > 0, got {self.init_gain}")


@dataclass
class PatchGANConfig:
    """pix2pix's 70x70 PatchGAN discriminator on ``concat(rgb, ink)``."""

    name: str = "patchgan"
    in_channels: int = 4  # RGB (3) + ink (1)
    ndf: int = 64  # channels of the first conv
    n_layers: int = 3  # 3 -> 70x70 receptive field
    init_gain: float = 0.02  # conv weights ~ N(0, init_gain)

    def __post_init__(self) -> None:
        cls = type(self).__name__
        _require(self.in_channels >= 2, cls, "in_channels", f"must be >= 2, got {self.in_channels}")
        _require(self.ndf >= 1, cls, "ndf", f"must be >= 1, got {self.ndf}")
        _require(self.n_layers >= 1, cls, "n_layers", f"must be >= 1, got {self.n_layers}")
        _require(self.init_gain > 0, cls, "init_gain", f"must be > 0, got {self.init_gain}")


ModelConfig = GeneratorConfig | Pix2PixConfig | PatchGANConfig


def model_config(model: object) -> ModelConfig:
    """``model.config``: the config dataclass every registry model carries.

    Raises:
        ValueError: ``model`` has none (the message names its type).
    """
    config = getattr(model, "config", None)
    if not isinstance(config, GeneratorConfig | Pix2PixConfig | PatchGANConfig):
        raise ValueError(f"{type(model).__name__} has no dataclass .config")
    return config
