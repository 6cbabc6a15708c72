"""The paper's generator: a U-Net with two residual blocks and optional attention.

docs/paper.md, "Network". Layer table, shapes, parameter count and every choice the
paper leaves open are in ``docs/network.md``. In short, for an input padded to
``S x S`` (S a multiple of 16, at least 32)::

    e1 = LReLU(     conv4x4/2(x))              32 ch  S/2
    e2 = LReLU(BN(  conv4x4/2(e1)))            64 ch  S/4
    e3 = LReLU(BN(  conv4x4/2(e2)))           128 ch  S/8
    e4 = LReLU(BN(  conv4x4/2(e3)))           256 ch  S/16
    r  = res(res(e4)),  res(t) = t + BN(conv(ReLU(BN(conv(t)))))
    d1 = LReLU(BN(conv(r)))                   256 ch  S/16
    d2 = LReLU(BN(conv([up(d1), e3])))        128 ch  S/8
    d3 = LReLU(BN(conv([up(d2), e2])))         64 ch  S/4
    d4 = LReLU(BN(conv([up(d3), e1])))         32 ch  S/2
    d5 = LReLU(BN(conv(d4)))                   32 ch  S/2
    H  = sigmoid(BN(conv([up(d5), x])))         1 ch  S
    out = AttentionFusion(H)   (or H without attention)

Every conv pads by reflection; ``up`` is a x2 nearest upsampling.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from senga.models.attention import AttentionFusion
from senga.models.config import CONTRAST_CHANNELS, GeneratorConfig
from senga.models.hardcase_blocks import DilatedResidualBlock, local_contrast
from senga.models.padding import crop_padding, pad_to_multiple

#: The encoder downsamples 4 times: padded sizes are multiples of 16.
SIZE_MULTIPLE: int = 16
#: Smallest padded side (for the default 3x3 decoder kernel): keeps the 1/16
#: bottleneck at >= 2 pixels so that its reflection padding (which needs
#: size > pad) and train-mode batch norm are defined. See ``min_size``.
MIN_SIZE: int = 32

ENCODER_CHANNELS: tuple[int, ...] = (32, 64, 128, 256)
DECODER_CHANNELS: tuple[int, ...] = (256, 128, 64, 32, 32, 1)
#: Which of the 6 decoder blocks upsample x2 before their conv (4, undoing 4 downsamples).
DECODER_UPSAMPLES: tuple[bool, ...] = (False, True, True, True, False, True)
NUM_RESIDUAL_BLOCKS: int = 2


def scaled_channels(channels: int, width: float) -> int:
    """``channels`` times the config's ``width`` (1 keeps the paper's), rounded to a multiple of 8 (>= 8).

    Multiples of 8 keep oneDNN's vectorised convolution kernels busy; the
    1-channel output is never scaled.
    """
    if width == 1.0 or channels == 1:
        return channels
    return max(8, 8 * round(channels * width / 8))


def _conv(in_ch: int, out_ch: int, kernel: int, stride: int, padding: int, bias: bool) -> nn.Sequential:
    """Reflection padding then a convolution (docs/paper.md: reflection keeps paper white)."""
    return nn.Sequential(
        nn.ReflectionPad2d(padding),
        nn.Conv2d(in_ch, out_ch, kernel, stride=stride, bias=bias),
    )


class EncoderBlock(nn.Module):
    """conv 4x4 stride 2 (reflection pad 1) [-> BN] -> LeakyReLU.

    ``(N, Cin, S, S) -> (N, Cout, S/2, S/2)``.
    """

    def __init__(self, in_ch: int, out_ch: int, norm: bool, negative_slope: float) -> None:
        super().__init__()
        self.conv = _conv(in_ch, out_ch, kernel=4, stride=2, padding=1, bias=not norm)
        self.norm = nn.BatchNorm2d(out_ch) if norm else nn.Identity()
        self.act = nn.LeakyReLU(negative_slope)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.norm(self.conv(x)))


class ResidualBlock(nn.Module):
    """``t + BN(conv3x3(ReLU(BN(conv3x3(t)))))`` at constant channels and size."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            _conv(channels, channels, kernel=3, stride=1, padding=1, bias=False),
            nn.BatchNorm2d(channels),
            nn.ReLU(),
            _conv(channels, channels, kernel=3, stride=1, padding=1, bias=False),
            nn.BatchNorm2d(channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class DecoderBlock(nn.Module):
    """[upsample x2] -> [concat skip] -> conv (reflection pad) -> [BN] -> LeakyReLU or sigmoid.

    Upsampling first and then convolving (instead of a transposed conv) avoids
    checkerboard artefacts (docs/paper.md, "Network").
    """

    def __init__(
        self,
        in_ch: int,
        out_ch: int,
        kernel: int,
        upsample: str | None,
        norm: bool,
        last: bool,
        negative_slope: float,
    ) -> None:
        super().__init__()
        self.upsample = upsample
        self.conv = _conv(in_ch, out_ch, kernel, stride=1, padding=kernel // 2, bias=not norm)
        self.norm = nn.BatchNorm2d(out_ch) if norm else nn.Identity()
        self.act = nn.Sigmoid() if last else nn.LeakyReLU(negative_slope)

    def forward(self, x: torch.Tensor, skip: torch.Tensor | None = None) -> torch.Tensor:
        if self.upsample is not None:
            x = F.interpolate(x, scale_factor=2.0, mode=self.upsample)
        if skip is not None:
            x = torch.cat([x, skip], dim=1)
        return self.act(self.norm(self.conv(x)))

    def extra_repr(self) -> str:
        return f"upsample={self.upsample}"


class SengaGenerator(nn.Module):
    """The paper's U-Net: ``(N, C, H, W)`` in [0, 1], any H, W -> ``(N, 1, H, W)`` ink in [0, 1].

    The input is reflect-padded to a multiple of 16 (at least ``min_size``, 32) and the
    output cropped back. With ``config.morph_input`` the morphological line
    map of the RGB input is computed inside ``forward`` and added as a 4th
    channel, so callers always pass RGB.
    """

    #: Layout of the activations. Channels-last runs the U-Net ~2x faster on CPU
    #: (oneDNN), the thin full-resolution convs most of all; the math is unchanged.
    memory_format: torch.memory_format = torch.channels_last

    def __init__(self, config: GeneratorConfig | None = None) -> None:
        super().__init__()
        self.config = config = config or GeneratorConfig()
        slope = config.negative_slope
        net_in = config.net_in_channels

        enc_ch = tuple(scaled_channels(c, config.width) for c in ENCODER_CHANNELS)
        dec_ch = tuple(scaled_channels(c, config.width) for c in DECODER_CHANNELS)
        enc_in = (net_in, *enc_ch[:-1])
        self.encoder = nn.ModuleList(
            EncoderBlock(i, o, norm=k > 0, negative_slope=slope)  # BN on blocks 2-4 only
            for k, (i, o) in enumerate(zip(enc_in, enc_ch))
        )
        bottleneck = enc_ch[-1]
        self.residual = nn.Sequential(*(ResidualBlock(bottleneck) for _ in range(NUM_RESIDUAL_BLOCKS)))

        # Skips entering each decoder block (after its upsampling): e3, e2, e1 and the input.
        skip_ch = (0, enc_ch[2], enc_ch[1], enc_ch[0], 0, net_in if config.input_skip else 0)
        dec_in = (bottleneck, *dec_ch[:-1])
        n = len(dec_ch)
        self.decoder = nn.ModuleList(
            DecoderBlock(
                dec_in[k] + skip_ch[k],
                dec_ch[k],
                kernel=config.decoder_kernel,
                upsample=config.upsample if DECODER_UPSAMPLES[k] else None,
                norm=config.final_norm or k < n - 1,
                last=k == n - 1,
                negative_slope=slope,
            )
            for k in range(n)
        )
        self.attention = AttentionFusion(slope) if config.attention else None
        # multi-scale option (off in the paper's presets): dilated residual blocks after the paper's two
        self.context = (
            nn.Sequential(*(DilatedResidualBlock(bottleneck) for _ in range(config.dilated_blocks)))
            if config.dilated_blocks > 0
            else None
        )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Paper init: every U-Net conv weight and bias ~ U(-r, r), r = ``config.init_range``.

        Batch norms start as the identity (weight 1, bias 0); the attention
        convs keep their own U(0, 1) init (see :mod:`senga.models.attention`).
        """
        r = self.config.init_range
        for part in (self.encoder, self.residual, self.decoder):
            for m in part.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.uniform_(m.weight, -r, r)
                    if m.bias is not None:
                        nn.init.uniform_(m.bias, -r, r)
                elif isinstance(m, nn.BatchNorm2d):
                    m.reset_parameters()
        if self.context is not None:
            for m in self.context.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.uniform_(m.weight, -r, r)
                elif isinstance(m, nn.BatchNorm2d):
                    m.reset_parameters()
            for block in self.context.modules():
                if isinstance(block, DilatedResidualBlock):
                    block.zero_init()
        if self.config.contrast_input:
            # the contrast channels come last in the first conv's and the input skip's inputs: start at 0
            blocks: list[nn.Module] = [self.encoder[0]] + (
                [self.decoder[-1]] if self.config.input_skip else []
            )
            with torch.no_grad():
                for block in blocks:
                    conv = block.conv[1]  # type: ignore[index]  # .conv is a Sequential (pad, conv)
                    assert isinstance(conv, nn.Conv2d)
                    conv.weight[:, -CONTRAST_CHANNELS:] = 0.0

    @property
    def size_multiple(self) -> int:
        """Padded sides are multiples of this (16: four stride-2 convs); the generator
        contract that tiling and ONNX export read (``Pix2PixUNet`` has it too)."""
        return SIZE_MULTIPLE

    @property
    def min_size(self) -> int:
        """Smallest padded side: the 1/16 bottleneck must exceed the decoder conv's padding."""
        return SIZE_MULTIPLE * max(MIN_SIZE // SIZE_MULTIPLE, self.config.decoder_kernel // 2 + 1)

    def network_input(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C, H, W)`` in [0, 1] -> the tensor the first conv sees (morph channel, [-1, 1])."""
        if self.config.morph_input:
            from senga.classical.morph_torch import morph_lines_torch

            x = torch.cat([x, morph_lines_torch(x)], dim=1)
        if self.config.contrast_input:
            x = torch.cat([x, local_contrast(x[:, :3])], dim=1)
        if self.config.normalize_input:
            x = 2.0 * x - 1.0
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Ink map of ``x``.

        Args:
            x: ``(N, in_channels, H, W)`` float in [0, 1], any H, W >= 1.

        Returns:
            ``(N, 1, H, W)`` ink in [0, 1] (1 = line). In eval mode, ink below
            ``config.ink_floor`` is 0 (paper): faint haze is not a line.
        """
        c = self.config.in_channels
        if x.ndim != 4 or x.shape[1] != c or not x.is_floating_point():
            raise ValueError(
                f"{self.config.name}: expected a float (N, {c}, H, W) tensor in [0, 1], "
                f"got {x.dtype} {tuple(x.shape)}"
            )
        x = self.network_input(x)
        x, pad = pad_to_multiple(x, self.size_multiple, self.min_size)
        x = x.contiguous(memory_format=self.memory_format)

        skips = []
        h = x
        for block in self.encoder:
            h = block(h)
            skips.append(h)
        e1, e2, e3, _ = skips
        h = self.residual(h)
        if self.context is not None:
            h = self.context(h)
        d = self.decoder
        h = d[0](h)
        h = d[1](h, e3)
        h = d[2](h, e2)
        h = d[3](h, e1)
        h = d[4](h)
        h = d[5](h, x if self.config.input_skip else None)
        if self.attention is not None:
            h = self.attention(h)
        h = crop_padding(h, pad)
        floor = self.config.ink_floor
        if floor > 0 and not self.training:  # training sees the raw ink: the floor has no gradient
            h = torch.where(h >= floor, h, torch.zeros_like(h))
        return h
