"""pix2pix training (Isola et al., CVPR 2017): alternating discriminator and generator updates.

Per step, with x the color input, y the ground-truth ink, G the generator and
D the PatchGAN discriminator on ``(x, ink)`` pairs (logits per 70x70 patch):

1. ``fake = G(x)``;
2. D step: ``L_D = (BCE(D(x, y), 1) + BCE(D(x, fake.detach()), 0)) / 2``
   (the vanilla cGAN objective, BCE-with-logits; Isola et al. halve it to slow D);
3. G step: ``L_G = BCE(D(x, fake), 1) + lambda_l1 * L1(fake, y)``, the
   non-saturating generator loss plus L1 with ``lambda_l1 = 100``.

L1 is measured on the [-1, 1] scale pix2pix normalises images to, i.e.
``mean |(2 fake - 1) - (2 y - 1)| = 2 mean |fake - y|`` on ink, so
``lambda_l1 = 100`` weighs it exactly as in Isola et al. Both networks use Adam
(lr 2e-4, betas (0.5, 0.999) in the ``pix2pix`` preset).

Under DDP the generator is DDP-wrapped; the discriminator's gradients are
averaged explicitly (it runs two forwards per step, which DDP does not allow
before one backward).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from senga.train.config import TrainConfig
from senga.train.distributed import DistContext, average_gradients, wrap
from senga.train.steps import Guard, autocast, build_network, clip, make_optimizer


def _set_requires_grad(model: nn.Module, flag: bool) -> None:
    for p in model.parameters():
        p.requires_grad_(flag)


def gan_bce(logits: Tensor, real: bool) -> Tensor:
    """Vanilla GAN loss: BCE-with-logits of every patch logit against 1 (real) or 0 (fake)."""
    logits = logits.float()
    target = torch.ones_like(logits) if real else torch.zeros_like(logits)
    return F.binary_cross_entropy_with_logits(logits, target)


def pix2pix_l1(fake: Tensor, gt: Tensor) -> Tensor:
    """L1 on the [-1, 1] image scale: ``mean |(2 H - 1) - (2 G - 1)|`` for ink H, G in [0, 1]."""
    return (2.0 * (fake.float() - gt.float())).abs().mean()


class GanStep:
    """pix2pix's alternating updates; same interface as :class:`senga.train.steps.SupervisedStep`.

    Attributes:
        generator, discriminator: the networks (unwrapped).
        optimizers: ``{"generator": Adam, "discriminator": Adam}``.
        terms: ``loss`` (= ``L_G``), ``g_gan``, ``g_l1``, ``d_loss``.
    """

    terms: tuple[str, ...] = ("loss", "g_gan", "g_l1", "d_loss")

    def __init__(self, config: TrainConfig, ctx: DistContext) -> None:
        if config.discriminator is None:
            raise ValueError("discriminator: GAN training needs a discriminator (e.g. 'patchgan')")
        if config.loss != "pix2pix":
            raise ValueError(f"loss: training with a discriminator uses loss 'pix2pix', got {config.loss!r}")
        self.config, self.ctx = config, ctx
        self.generator = build_network(config.model, config.model_config, config, ctx)
        self.discriminator: nn.Module = build_network(
            config.discriminator, config.discriminator_config, config, ctx
        )
        self.optimizers = {
            "generator": make_optimizer(self.generator, config),
            "discriminator": make_optimizer(self.discriminator, config),
        }
        self._train_g: nn.Module = self.generator

    def distribute(self) -> None:
        """Wrap the generator for DDP (after loading a checkpoint)."""
        self._train_g = wrap(self.generator, self.ctx, self.config.sync_bn)
        self.generator = getattr(self._train_g, "module", self._train_g)

    def step(self, rgb: Tensor, ink: Tensor, guard: Guard) -> dict[str, Tensor]:
        """One D update then one G update on ``rgb (N,3,c,c)``, ``ink (N,1,c,c)``."""
        d, opt_g, opt_d = self.discriminator, self.optimizers["generator"], self.optimizers["discriminator"]
        with autocast(self.config, self.ctx.device):
            fake = self._train_g(rgb)

            _set_requires_grad(d, True)
            loss_d = 0.5 * (gan_bce(d(rgb, ink), True) + gan_bce(d(rgb, fake.detach()), False))
        guard("d_loss", loss_d)
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        average_gradients(d, self.ctx)
        clip(d, self.config)
        opt_d.step()

        _set_requires_grad(d, False)
        with autocast(self.config, self.ctx.device):
            g_gan = gan_bce(d(rgb, fake), True)
        g_l1 = pix2pix_l1(fake, ink)
        loss_g = g_gan + self.config.lambda_l1 * g_l1
        guard("loss", loss_g)
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        clip(self.generator, self.config)
        opt_g.step()
        _set_requires_grad(d, True)
        return {"loss": loss_g.detach(), "g_gan": g_gan.detach(), "g_l1": g_l1.detach(), "d_loss": loss_d.detach()}
