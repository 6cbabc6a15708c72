"""One GAN step updates both networks (the losses by hand: tests/losses/test_losses_gan.py)."""

from __future__ import annotations

import pytest
import torch

from senga.train import get_preset
from senga.train.distributed import DistContext
from senga.train.steps import GanStep


def test_one_step_updates_generator_and_discriminator() -> None:
    config = get_preset(
        "pix2pix",
        model_config={"ngf": 4, "num_downs": 5},
        discriminator_config={"ndf": 4},
        steps=1,
        device="cpu",
    )
    torch.manual_seed(0)
    step = GanStep(config, DistContext())
    g0 = [p.detach().clone() for p in step.generator.parameters()]
    d0 = [p.detach().clone() for p in step.discriminator.parameters()]
    rgb, ink = torch.rand(2, 3, 32, 32), (torch.rand(2, 1, 32, 32) > 0.8).float()
    terms = step.step(rgb, ink, lambda name, value: None)
    assert set(terms) == {"loss", "g_gan", "g_l1", "d_loss"}
    assert terms["loss"].item() == pytest.approx(terms["g_gan"].item() + 100 * terms["g_l1"].item(), rel=1e-5)
    assert all(not torch.equal(a, b) for a, b in zip(g0, step.generator.parameters()))
    assert any(not torch.equal(a, b) for a, b in zip(d0, step.discriminator.parameters()))
    assert all(p.requires_grad for p in step.discriminator.parameters())  # D is trainable again afterwards


def test_gan_needs_its_loss() -> None:
    config = get_preset("pix2pix", steps=1, loss="paper")
    with pytest.raises(ValueError, match="training with a discriminator uses loss 'pix2pix'"):
        GanStep(config, DistContext())
