"""pix2pix's losses (Isola et al., CVPR 2017): the vanilla cGAN objective and L1 on the [-1, 1] scale.

With x the color input, y the ground-truth ink, G the generator and D the
PatchGAN discriminator on ``(x, ink)`` pairs (logits per 70x70 patch):

* D: ``L_D = (BCE(D(x, y), 1) + BCE(D(x, G(x)), 0)) / 2`` (BCE-with-logits;
  Isola et al. halve it to slow D);
* G: ``L_G = BCE(D(x, G(x)), 1) + lambda_l1 * L1(G(x), y)``, the non-saturating
  generator loss plus L1 with ``lambda_l1 = 100``.

L1 is measured on the [-1, 1] scale pix2pix normalises images to, i.e.
``mean |(2 fake - 1) - (2 y - 1)| = 2 mean |fake - y|`` on ink, so
``lambda_l1 = 100`` weighs it exactly as in Isola et al. The alternating
updates themselves are :class:`senga.train.steps.GanStep`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def gan_bce(logits: Tensor, real: bool) -> Tensor:
    """Vanilla GAN loss: BCE-with-logits of every patch logit against 1 (real) or 0 (fake); float32."""
    logits = logits.float()
    target = torch.ones_like(logits) if real else torch.zeros_like(logits)
    return F.binary_cross_entropy_with_logits(logits, target)


def pix2pix_l1(fake: Tensor, gt: Tensor) -> Tensor:
    """L1 on the [-1, 1] image scale: ``mean |(2 H - 1) - (2 G - 1)|`` for ink H, G in [0, 1]."""
    return (2.0 * (fake.float() - gt.float())).abs().mean()


class Pix2PixLoss(nn.Module):
    """pix2pix's objective; ``adversarial``: it needs a discriminator's logits, not just ``(pred, gt)``.

    Args:
        lambda_l1: weight of :func:`pix2pix_l1` in the generator loss (Isola et al.: 100).

    Shapes: logits ``(N, 1, h, w)`` (one per patch), ``fake`` and ``gt`` ink ``(N, 1, H, W)``.
    """

    adversarial = True
    needs_input = False

    def __init__(self, lambda_l1: float = 100.0) -> None:
        super().__init__()
        self.lambda_l1 = float(lambda_l1)

    def discriminator_loss(self, real_logits: Tensor, fake_logits: Tensor) -> Tensor:
        """``L_D = (BCE(D(x, y), 1) + BCE(D(x, G(x)), 0)) / 2``."""
        return 0.5 * (gan_bce(real_logits, True) + gan_bce(fake_logits, False))

    def generator_loss(self, fake_logits: Tensor, fake: Tensor, gt: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """``(L_G, g_gan, g_l1)`` with ``L_G = g_gan + lambda_l1 * g_l1``."""
        g_gan = gan_bce(fake_logits, True)
        g_l1 = pix2pix_l1(fake, gt)
        return g_gan + self.lambda_l1 * g_l1, g_gan, g_l1

    def forward(self, pred: Tensor, gt: Tensor) -> Tensor:  # pragma: no cover - guarded by the trainer
        raise TypeError("the pix2pix loss needs a discriminator: use generator_loss / discriminator_loss")
