"""Size and cost of a model: parameter counts and convolution FLOPs."""

from __future__ import annotations

import copy

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from senga.models.config import model_config

#: Side of the square image ``flops_per_megapixel`` measures on: a multiple of
#: 16 and 256, so no network pads it.
_MEASURE_SIDE: int = 1024


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameter elements (buffers such as BN running stats excluded)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def _example_inputs(model: nn.Module, h: int, w: int, device: str) -> tuple[torch.Tensor, ...]:
    from senga.models.pix2pix import PatchGAN

    if isinstance(model, PatchGAN):
        rgb_ch = model.config.in_channels - 1
        return (torch.zeros(1, rgb_ch, h, w, device=device), torch.zeros(1, 1, h, w, device=device))
    return (torch.zeros(1, model_config(model).in_channels, h, w, device=device),)


def count_flops(model: nn.Module, h: int, w: int) -> int:
    """FLOPs of the convolutions (and matmuls) in one forward pass on a ``1 x C x h x w`` input.

    A convolution counts ``2 * Cin * Cout * k * k * Hout * Wout / groups``
    (a multiply and an add per weight per output pixel; for a transposed conv
    the *input* pixels). Padding done inside ``forward`` is included; norms,
    activations, upsampling and the morphological input channel are not.

    Runs on the ``meta`` device (shapes only, no arithmetic), so it is
    instant at any size; falls back to a real CPU pass for ops meta lacks.
    """
    was_training = model.training
    try:
        probe = copy.deepcopy(model).to("meta").eval()
        device = "meta"
    except (NotImplementedError, RuntimeError):
        probe, device = model.eval(), "cpu"
    counter = FlopCounterMode(display=False)
    try:
        with torch.no_grad(), counter:
            probe(*_example_inputs(probe, h, w, device))
    except (NotImplementedError, RuntimeError):
        if device == "cpu":
            raise
        probe = model.eval()
        counter = FlopCounterMode(display=False)
        with torch.no_grad(), counter:
            probe(*_example_inputs(probe, h, w, "cpu"))
    finally:
        model.train(was_training)
    return int(counter.get_total_flops())


def flops_per_megapixel(model: nn.Module) -> float:
    """``count_flops`` on a 1024x1024 image, scaled to 10^6 pixels."""
    return count_flops(model, _MEASURE_SIDE, _MEASURE_SIDE) * 1e6 / _MEASURE_SIDE**2
