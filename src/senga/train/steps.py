"""One optimizer step of supervised training (the paper's methods, Dice, Exp 5).

A *step object* owns the networks and optimizers of one kind of training and
does ``step(rgb, ink, guard) -> {term: value}``; the trainer owns everything
around it (data, logging, validation, checkpoints). :class:`SupervisedStep` is
the usual ``loss(G(x), y)`` minimisation; :class:`senga.train.gan.GanStep` is
pix2pix's alternating cGAN updates. Both expose the same attributes, so the
trainer never branches on the kind.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import torch
from torch import Tensor, nn

from senga.train.config import TrainConfig
from senga.train.distributed import DistContext, wrap

#: ``guard(name, value)``: raises when ``value`` is not finite (on any rank).
Guard = Callable[[str, Tensor], None]


def make_optimizer(module: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """Adam with the config's lr, betas and weight decay (the paper's optimiser).

    Parameters of the attention modules (names starting with ``attention.``)
    form a second group with ``lr * config.attention_lr_mult``; the first group
    holds every other parameter. See docs/training.md for why.
    """
    attention = [p for n, p in module.named_parameters() if n.startswith("attention.")]
    rest = [p for n, p in module.named_parameters() if not n.startswith("attention.")]
    groups: list[dict[str, object]] = [{"params": rest, "lr": config.lr, "lr_mult": 1.0}]
    if attention:
        mult = config.attention_lr_mult
        groups.append({"params": attention, "lr": config.lr * mult, "lr_mult": mult})
    return torch.optim.Adam(groups, lr=config.lr, betas=config.betas, weight_decay=config.weight_decay)


def autocast(config: TrainConfig, device: torch.device) -> contextlib.AbstractContextManager[object]:
    """bf16 autocast when ``config.amp == "bf16"``, else a no-op."""
    if config.amp == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def build_network(name: str, options: dict[str, object], config: TrainConfig, ctx: DistContext) -> nn.Module:
    """``senga.models.create_model(name, **options)`` on the device, in train mode."""
    from senga.models import create_model

    model = create_model(name, **options).to(ctx.device)
    if config.channels_last:
        model = model.to(memory_format=torch.channels_last)
    return model.train()


def clip(model: nn.Module, config: TrainConfig) -> None:
    if config.grad_clip is not None:
        nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)


class SupervisedStep:
    """``min_G loss(G(x), y)`` with Adam.

    Attributes:
        generator: the network (unwrapped; what checkpoints save).
        discriminator: always None here.
        optimizers: ``{"generator": Adam}``.
        terms: names of the values :meth:`step` returns (metrics.csv columns).
    """

    terms: tuple[str, ...] = ("loss",)
    discriminator: nn.Module | None = None

    def __init__(self, config: TrainConfig, ctx: DistContext) -> None:
        from senga.train.objective import Objective

        self.config, self.ctx = config, ctx
        self.generator = build_network(config.model, config.model_config, config, ctx)
        self.objective = Objective(config.loss, config.loss_params)
        self.optimizers = {"generator": make_optimizer(self.generator, config)}
        self._train_model: nn.Module = self.generator

    def distribute(self) -> None:
        """Wrap for DDP; call after loading a checkpoint (DDP broadcasts rank 0's weights)."""
        self._train_model = wrap(self.generator, self.ctx, self.config.sync_bn)
        self.generator = getattr(self._train_model, "module", self._train_model)

    def step(self, rgb: Tensor, ink: Tensor, guard: Guard) -> dict[str, Tensor]:
        """One update on a batch ``rgb (N,3,c,c)``, ``ink (N,1,c,c)``; returns detached loss terms."""
        (opt,) = self.optimizers.values()
        with autocast(self.config, self.ctx.device):
            pred = self._train_model(rgb)
        loss = self.objective(pred, ink, rgb)
        guard("loss", loss)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        clip(self.generator, self.config)
        opt.step()
        return {"loss": loss.detach()}
