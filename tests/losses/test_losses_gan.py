"""pix2pix's losses by hand: the vanilla cGAN BCE, L1 on the [-1, 1] scale, and how Pix2PixLoss combines them."""

from __future__ import annotations

import math

import pytest
import torch

from senga.losses import Pix2PixLoss, gan_bce, pix2pix_l1


def test_vanilla_gan_loss_values() -> None:
    logits = torch.tensor([[0.0, 2.0]])
    # BCE-with-logits: real -> -log(sigmoid(x)), fake -> -log(1 - sigmoid(x))
    assert gan_bce(logits, True).item() == pytest.approx((math.log(2) + math.log(1 + math.exp(-2))) / 2)
    assert gan_bce(logits, False).item() == pytest.approx((math.log(2) + math.log(1 + math.exp(2))) / 2)


def test_l1_is_on_the_minus_one_to_one_scale() -> None:
    fake, gt = torch.tensor([0.0, 0.5, 1.0]), torch.tensor([0.25, 0.5, 0.0])
    assert pix2pix_l1(fake, gt).item() == pytest.approx(2 * (0.25 + 0 + 1) / 3)


def test_pix2pix_loss_halves_d_and_weighs_l1() -> None:
    loss = Pix2PixLoss(lambda_l1=100.0)
    real, fake_logits = torch.tensor([[2.0]]), torch.tensor([[-1.0]])
    expected_d = 0.5 * (math.log(1 + math.exp(-2)) + math.log(1 + math.exp(-1)))
    assert loss.discriminator_loss(real, fake_logits).item() == pytest.approx(expected_d)
    fake, gt = torch.tensor([0.0, 1.0]), torch.tensor([0.5, 1.0])
    total, g_gan, g_l1 = loss.generator_loss(fake_logits, fake, gt)
    assert g_gan.item() == pytest.approx(math.log(1 + math.exp(1)))
    assert g_l1.item() == pytest.approx(0.5)
    assert total.item() == pytest.approx(g_gan.item() + 100 * 0.5)
