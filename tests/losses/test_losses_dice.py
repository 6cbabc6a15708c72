"""Deng et al.'s loss 1/dice + 0.001 BCE, and the BCE term: hand values, gradcheck, extremes."""

from __future__ import annotations

import functools
import math

import pytest
import torch

from senga.losses import DiceLoss, binary_cross_entropy, dice_coefficient, dice_loss

# 2x2 by hand: sum HG = .5 + .25 = .75, sum H^2 = .25 + .25 + .0625 = .5625, sum G^2 = 1.25
#   D = 2(.75) / (.5625 + 1.25) = 1.5 / 1.8125
G = torch.tensor([[1.0, 0.5], [0.0, 0.0]], dtype=torch.float64)
H = torch.tensor([[0.5, 0.5], [0.25, 0.0]], dtype=torch.float64)


def test_hand_computed_2x2():
    assert dice_coefficient(H, G, smooth=0.0).item() == pytest.approx(1.5 / 1.8125)
    bce = (2 * math.log(2) - math.log(0.75) - math.log1p(-1e-6)) / 4
    assert dice_loss(H, G, smooth=0.0).item() == pytest.approx(1.8125 / 1.5 + 1e-3 * bce)
    assert dice_loss(H, G, smooth=0.0, dice_weight=3.0, bce_weight=0.0).item() == pytest.approx(
        3 * 1.8125 / 1.5
    )
    # default smoothing: one unit on both sides
    assert dice_coefficient(H, G).item() == pytest.approx(2.5 / 2.8125)


def test_bce_is_clamped_and_finite():
    h = torch.tensor([[0.0, 1.0, 0.5]], dtype=torch.float64, requires_grad=True)
    g = torch.tensor([[1.0, 0.0, 1.0]], dtype=torch.float64)
    loss = binary_cross_entropy(h, g)
    assert loss.item() == pytest.approx((2 * -math.log(1e-6) + math.log(2)) / 3, rel=1e-5)
    loss.backward()
    assert torch.isfinite(h.grad).all()
    # float32: 1 - 1e-6 rounds, the clamped loss is still within 0.1 % of -log(1e-6)
    assert binary_cross_entropy(h.detach().float(), g.float()).item() == pytest.approx(loss.item(), rel=1e-3)


@pytest.mark.parametrize("reduction", ["batch", "image", "none"])
def test_gradcheck(smooth_pair, reduction):
    h, g = smooth_pair
    assert torch.autograd.gradcheck(
        functools.partial(dice_loss, gt=g, bce_weight=0.5, reduction=reduction), (h,)
    )
    assert torch.autograd.gradcheck(functools.partial(binary_cross_entropy, gt=g, reduction=reduction), (h,))


@pytest.mark.parametrize("reduction", ["batch", "image"])
def test_finite_loss_and_gradients_on_all_white_and_all_black_maps(extreme_pairs, reduction):
    for label, h, g in extreme_pairs:
        h.requires_grad_()
        loss = dice_loss(h, g, reduction=reduction)
        loss.backward()
        assert torch.isfinite(loss) and torch.isfinite(h.grad).all(), label


def test_reductions_and_function_equals_module(smooth_pair):
    h, g = smooth_pair
    h = h.detach()
    per = dice_loss(h, g, reduction="none")
    assert per.shape == (2,)
    assert per[0].item() == pytest.approx(dice_loss(h[:1], g[:1]).item())
    assert dice_loss(h, g, reduction="image").item() == pytest.approx(per.mean().item())
    module = DiceLoss(dice_weight=2.0, bce_weight=0.1, reduction="image")
    assert module(h, g).item() == pytest.approx(dice_loss(h, g, 2.0, 0.1, reduction="image").item())
    assert DiceLoss.needs_input is False
    with pytest.raises(ValueError, match="unknown reduction"):
        DiceLoss(reduction="sum")
