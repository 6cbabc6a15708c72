"""The pix2pix baseline (Isola et al., CVPR 2017): U-Net generator and 70x70 PatchGAN.

Same layers as the reference implementation's ``unet_256`` and ``basic``
(``n_layers=3``) networks with batch norm, adapted to senga's conventions:

* inputs are RGB / ink in [0, 1]; both are mapped to [-1, 1] inside ``forward``
  (pix2pix normalises its images that way);
* the generator's ``tanh`` output is mapped to ink as ``(tanh + 1) / 2``;
* the generator takes any size: reflect-padded to a multiple of
  ``2 ** num_downs`` (256 for ``unet_256``) and cropped back.
"""

from __future__ import annotations

import torch
from torch import nn

from senga.models.config import PatchGANConfig, Pix2PixConfig
from senga.models.padding import crop_padding, pad_to_multiple


def init_pix2pix_(module: nn.Module, gain: float = 0.02) -> None:
    """pix2pix's ``init_type='normal'``.

    Conv weights ~ N(0, gain), biases 0, batch-norm weights ~ N(1, gain), BN biases 0.
    """
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, gain)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, gain)
            nn.init.zeros_(m.bias)


class UNetSkipBlock(nn.Module):
    """One U-Net level: ``x -> concat(x, up(inner(down(x))))``; the outermost returns ``up(...)``.

    ``(N, outer, S, S) -> (N, 2 * outer, S, S)``, or ``(N, out_channels, S, S)`` when outermost.
    """

    def __init__(
        self,
        outer_ch: int,
        inner_ch: int,
        in_ch: int | None = None,
        inner: nn.Module | None = None,
        outermost: bool = False,
        use_dropout: bool = False,
    ) -> None:
        super().__init__()
        self.outermost = outermost
        in_ch = outer_ch if in_ch is None else in_ch
        innermost = inner is None
        down_conv = nn.Conv2d(in_ch, inner_ch, 4, stride=2, padding=1, bias=False)
        up_in = inner_ch if innermost else inner_ch * 2
        if outermost:
            up_conv = nn.ConvTranspose2d(up_in, outer_ch, 4, stride=2, padding=1)
            down: list[nn.Module] = [down_conv]
            up: list[nn.Module] = [nn.ReLU(), up_conv, nn.Tanh()]
        else:
            up_conv = nn.ConvTranspose2d(up_in, outer_ch, 4, stride=2, padding=1, bias=False)
            down = [nn.LeakyReLU(0.2), down_conv]
            if not innermost:
                down.append(nn.BatchNorm2d(inner_ch))
            up = [nn.ReLU(), up_conv, nn.BatchNorm2d(outer_ch)]
            if use_dropout:
                up.append(nn.Dropout(0.5))
        self.model = nn.Sequential(*down, *([inner] if inner is not None else []), *up)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.outermost:
            return self.model(x)
        return torch.cat([x, self.model(x)], dim=1)


class Pix2PixUNet(nn.Module):
    """pix2pix ``unet_256``: ``(N, C, H, W)`` RGB in [0, 1], any H, W -> ``(N, 1, H, W)`` ink.

    ``num_downs`` stride-2 blocks, channels ``ngf * (1, 2, 4, 8, 8, ...)``, BN,
    LeakyReLU(0.2) down, ReLU up, dropout 0.5 in the 3 up blocks after the
    innermost one, transposed-conv upsampling, ``tanh`` output mapped to [0, 1].
    """

    def __init__(self, config: Pix2PixConfig | None = None) -> None:
        super().__init__()
        self.config = config = config or Pix2PixConfig()
        ngf = config.ngf
        block = UNetSkipBlock(ngf * 8, ngf * 8)  # innermost
        for _ in range(config.num_downs - 5):
            block = UNetSkipBlock(ngf * 8, ngf * 8, inner=block, use_dropout=config.use_dropout)
        block = UNetSkipBlock(ngf * 4, ngf * 8, inner=block)
        block = UNetSkipBlock(ngf * 2, ngf * 4, inner=block)
        block = UNetSkipBlock(ngf, ngf * 2, inner=block)
        self.model = UNetSkipBlock(1, ngf, in_ch=config.in_channels, inner=block, outermost=True)
        init_pix2pix_(self, config.init_gain)

    @property
    def size_multiple(self) -> int:
        """Padded sides are multiples of this (``2**num_downs``): the generator contract."""
        return 2**self.config.num_downs

    @property
    def min_size(self) -> int:
        """Smallest padded side (one multiple: every side is padded to at least that)."""
        return self.size_multiple

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, in_channels, H, W)`` float in [0, 1] -> ``(N, 1, H, W)`` ink in [0, 1]."""
        c = self.config.in_channels
        if x.ndim != 4 or x.shape[1] != c or not x.is_floating_point():
            raise ValueError(
                f"{self.config.name}: expected a float (N, {c}, H, W) tensor in [0, 1], "
                f"got {x.dtype} {tuple(x.shape)}"
            )
        x, pad = pad_to_multiple(2.0 * x - 1.0, self.size_multiple)
        ink = (self.model(x) + 1.0) / 2.0
        return crop_padding(ink, pad)


class PatchGAN(nn.Module):
    """pix2pix's PatchGAN (``n_layers=3``: 70x70 patches) on ``concat(rgb, ink)``.

    ``forward(rgb (N, 3, H, W), ink (N, 1, H, W))`` in [0, 1] -> ``(N, 1, h, w)``
    real/fake *logits* (no sigmoid; use ``BCEWithLogits`` or LSGAN's MSE), one
    per overlapping patch. For 256x256 inputs h = w = 30. Inputs must be at
    least ``3 * 2 ** n_layers`` (24) pixels on each side so that one patch remains.
    """

    def __init__(self, config: PatchGANConfig | None = None) -> None:
        super().__init__()
        self.config = config = config or PatchGANConfig()
        ndf, n = config.ndf, config.n_layers
        layers: list[nn.Module] = [
            nn.Conv2d(config.in_channels, ndf, 4, stride=2, padding=1),
            nn.LeakyReLU(0.2),
        ]
        mult = 1
        for k in range(1, n + 1):
            prev, mult = mult, min(2**k, 8)
            stride = 2 if k < n else 1
            layers += [
                nn.Conv2d(ndf * prev, ndf * mult, 4, stride=stride, padding=1, bias=False),
                nn.BatchNorm2d(ndf * mult),
                nn.LeakyReLU(0.2),
            ]
        layers.append(nn.Conv2d(ndf * mult, 1, 4, stride=1, padding=1))
        self.model = nn.Sequential(*layers)
        init_pix2pix_(self, config.init_gain)

    @property
    def min_size(self) -> int:
        """Smallest input side: ``n_layers`` halvings then two 4x4 stride-1 convs (-1 each)."""
        return 3 * 2**self.config.n_layers

    def forward(self, rgb: torch.Tensor, ink: torch.Tensor) -> torch.Tensor:
        want = self.config.in_channels
        if (
            rgb.ndim != 4
            or ink.ndim != 4
            or rgb.shape[0] != ink.shape[0]
            or rgb.shape[-2:] != ink.shape[-2:]
            or rgb.shape[1] + ink.shape[1] != want
        ):
            raise ValueError(
                f"{self.config.name}: expected rgb (N, 3, H, W) and ink (N, 1, H, W) "
                f"({want} channels together), got {tuple(rgb.shape)} and {tuple(ink.shape)}"
            )
        if min(rgb.shape[-2:]) < self.min_size:
            raise ValueError(
                f"{self.config.name}: inputs must be at least {self.min_size}x{self.min_size}, "
                f"got {rgb.shape[-2]}x{rgb.shape[-1]}"
            )
        x = torch.cat([rgb, ink], dim=1)
        return self.model(2.0 * x - 1.0)
