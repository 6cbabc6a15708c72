"""A generator with non-trivial weights, for the extraction and batch tests (needs PyTorch)."""

from __future__ import annotations

import torch
from images import drawn_image
from torch import nn

from senga.models import create_model


def calibrated_generator(name: str = "senga-noattn", seed: int = 0) -> nn.Module:
    """A generator whose output actually depends on its input over its whole receptive field.

    The paper's init (weights in +-0.005) makes an untrained network output a
    near-constant map, which would make tiling tests vacuous. Here the convs get
    PyTorch's default (Kaiming-uniform) init and the batch norms running
    statistics measured on drawings, as after training; the output then spans
    [0, 1] and every pixel feels context up to ~200 px away.
    """
    torch.manual_seed(seed)
    model = create_model(name)
    for name_, m in model.named_modules():
        if isinstance(m, nn.Conv2d) and not name_.startswith("attention"):
            m.reset_parameters()
            if m.out_channels == 1:  # the output conv: give the logits a spread of a few units
                m.weight.data.mul_(8.0)
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = None  # cumulative average
    model.train()
    with torch.no_grad():
        for s in range(3):
            x = torch.from_numpy(drawn_image(256, seed=s)).permute(2, 0, 1)[None].float() / 255
            model(x)
    return model.eval()
