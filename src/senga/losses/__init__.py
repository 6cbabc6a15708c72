"""Differentiable losses: the paper's (eqs. 7-10), Deng et al.'s dice loss, exp 5's Laplacian loss.

* :mod:`~senga.losses.indicators`: f_linear (eq. 7), f_power (eq. 8), the exact indicator.
* :mod:`~senga.losses.soft_metrics`: P~ (eq. 9), R (eq. 5), F1~ (eq. 10).
* :mod:`~senga.losses.paper`: ``1/F1~ + 0.001 BCE`` (:class:`PaperLoss`).
* :mod:`~senga.losses.dice`: ``1/dice + 0.001 BCE`` (:class:`DiceLoss`).
* :mod:`~senga.losses.laplacian`: Laplacian-weighted MSE (:class:`LaplacianWeightedLoss`).
* :mod:`~senga.losses.gan`: pix2pix's cGAN + L1 objective (:class:`Pix2PixLoss`).
* :mod:`~senga.losses.reduction`: ``reduction="batch" | "image" | "none"``, shared by all.
* :mod:`~senga.losses.registry`: :func:`build_loss` by name.
"""

from __future__ import annotations

from senga.losses.bce import binary_cross_entropy
from senga.losses.dice import DiceLoss, dice_coefficient, dice_loss
from senga.losses.gan import Pix2PixLoss, gan_bce, pix2pix_l1
from senga.losses.indicators import Indicator, exact_indicator, f_linear, f_power, parse_indicator
from senga.losses.laplacian import LaplacianWeightedLoss, laplacian_weight_map, laplacian_weighted_loss
from senga.losses.paper import PaperLoss, paper_loss
from senga.losses.reduction import REDUCTIONS
from senga.losses.registry import LOSSES, build_loss
from senga.losses.soft_metrics import soft_f1, soft_precision, soft_recall

__all__ = [
    "LOSSES",
    "REDUCTIONS",
    "DiceLoss",
    "Indicator",
    "LaplacianWeightedLoss",
    "PaperLoss",
    "Pix2PixLoss",
    "binary_cross_entropy",
    "build_loss",
    "dice_coefficient",
    "dice_loss",
    "exact_indicator",
    "f_linear",
    "f_power",
    "gan_bce",
    "laplacian_weight_map",
    "laplacian_weighted_loss",
    "paper_loss",
    "parse_indicator",
    "pix2pix_l1",
    "soft_f1",
    "soft_precision",
    "soft_recall",
]
