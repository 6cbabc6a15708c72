"""Losses by name, for configs and presets: ``build_loss("paper", bce_weight=0.001)``."""

from __future__ import annotations

import inspect
from typing import Any

from torch import nn

from senga.errors import check_known
from senga.losses.dice import DiceLoss
from senga.losses.gan import Pix2PixLoss
from senga.losses.laplacian import LaplacianWeightedLoss
from senga.losses.paper import PaperLoss

#: name -> loss module class. ``cls.needs_input`` says whether forward takes the color input;
#: ``cls.adversarial`` that it is a GAN objective (trained with a discriminator, see :mod:`senga.losses.gan`).
LOSSES: dict[str, type[nn.Module]] = {
    "paper": PaperLoss,
    "dice": DiceLoss,
    "laplacian": LaplacianWeightedLoss,
    "pix2pix": Pix2PixLoss,
}


def build_loss(name: str, **params: Any) -> nn.Module:
    """Instantiate a loss module by name.

    Args:
        name: ``"paper"`` (:class:`PaperLoss`), ``"dice"`` (:class:`DiceLoss`),
            ``"laplacian"`` (:class:`LaplacianWeightedLoss`, exp 5) or ``"pix2pix"``
            (:class:`Pix2PixLoss`, with a discriminator).
        **params: its constructor arguments.

    Raises:
        ValueError: unknown name (lists the valid ones) or unknown parameter
            (lists the loss's parameters).
    """
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; valid names: {', '.join(sorted(LOSSES))}")
    cls = LOSSES[name]
    valid = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    check_known(params, valid, f"loss {name!r}", "parameter")
    return cls(**params)
