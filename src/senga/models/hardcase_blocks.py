"""Options for the paper's open problems (docs/paper.md, "Failure modes"), off by default.

* :func:`local_contrast`: the paper's "enhance local contrast before the
  network", as 3 extra input channels (``GeneratorConfig.contrast_input``).
* :class:`DilatedResidualBlock`: the paper's "a network that captures
  multi-scale features", as extra residual blocks with dilated convs in the
  1/16 bottleneck (``GeneratorConfig.dilated_blocks``).

Both start as no-ops, so a model fine-tuned from a pretrained one starts at
exactly its output (:func:`senga.models.extend.widen_pretrained`): the
contrast channels' weights in the first conv and in the input skip are 0, and
each dilated block's last batch norm has weight 0 (the block is the identity).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

#: Gaussian blur of the local mean (pixels of the input) and gain of the contrast map.
CONTRAST_SIGMA: float = 2.0
CONTRAST_GAIN: float = 4.0
#: Dilations of the two convs of a :class:`DilatedResidualBlock`.
DILATIONS: tuple[int, int] = (2, 4)
RGB_CHANNELS: int = 3


def _gaussian_kernel(sigma: float) -> torch.Tensor:
    radius = max(1, int(round(3 * sigma)))
    x = torch.arange(-radius, radius + 1, dtype=torch.float32)
    k = torch.exp(-0.5 * (x / sigma) ** 2)
    return k / k.sum()


def local_contrast(
    rgb: torch.Tensor, sigma: float = CONTRAST_SIGMA, gain: float = CONTRAST_GAIN
) -> torch.Tensor:
    """How much darker each pixel is than its neighbourhood, per channel.

    ``clip(gain * (blur_sigma(x) - x), 0, 1)``: a thin line 30 levels darker
    than its fill gives ~0.45 whatever the fill's brightness, so low-contrast
    lines and black lines in dark fills stand out as much as black lines on
    white do in the RGB channels.

    Args:
        rgb: ``(N, 3, H, W)`` float in [0, 1].

    Returns:
        ``(N, 3, H, W)`` in [0, 1].
    """
    k = _gaussian_kernel(sigma).to(dtype=rgb.dtype, device=rgb.device)
    r = k.numel() // 2
    c = RGB_CHANNELS  # a constant, so the ONNX export knows the kernels' shapes
    x = rgb
    # reflection needs pad < size; replicate works for any size (tiny tiles)
    mode = "reflect" if min(rgb.shape[-2:]) > r else "replicate"
    x = F.pad(x, (r, r, 0, 0), mode=mode)
    x = F.conv2d(x, k.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    x = F.pad(x, (0, 0, r, r), mode=mode)
    x = F.conv2d(x, k.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)
    return torch.clamp(gain * (x - rgb), 0.0, 1.0)


class DilatedResidualBlock(nn.Module):
    """``t + BN(conv3x3_d4(ReLU(BN(conv3x3_d2(t)))))`` at constant channels and size.

    Replicate padding (reflection needs pad < size, and the bottleneck of a
    small tile is 2 px). The last BN's weight starts at 0: the block starts as
    the identity. At 1/16 resolution the two convs add ``2 * (2 + 4) * 16 = 192``
    input pixels of context on each side.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        d1, d2 = DILATIONS
        self.body = nn.Sequential(
            nn.ReplicationPad2d(d1),
            nn.Conv2d(channels, channels, 3, dilation=d1, bias=False),
            nn.BatchNorm2d(channels),
            nn.ReLU(),
            nn.ReplicationPad2d(d2),
            nn.Conv2d(channels, channels, 3, dilation=d2, bias=False),
            nn.BatchNorm2d(channels),
        )

    def zero_init(self) -> None:
        """Make the block the identity (last BN weight and bias 0)."""
        last = self.body[-1]
        assert isinstance(last, nn.BatchNorm2d)
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)
