"""One optimizer step of each kind of training, behind one :class:`TrainStep` Protocol.

A *step object* owns the networks, the loss and the optimizers of one kind of
training and does ``step(rgb, ink, guard) -> {term: value}``; the trainer owns
everything around it (data, logging, validation, checkpoints) and never
branches on the kind:

* :class:`SupervisedStep`: ``min_G loss(G(x), y)`` with a :mod:`senga.losses`
  loss (the paper's methods, Dice, Exp 5), through :class:`Objective`;
* :class:`GanStep`: pix2pix's alternating discriminator / generator updates
  with :class:`senga.losses.Pix2PixLoss`;
* :class:`DistillStep`: a narrower student learns a frozen teacher's output
  (:mod:`senga.train.distill`).

:func:`build_step` picks one from the config; :func:`lr_at` is the learning
rate of every step (a pure function of the step, so resuming needs nothing else).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import torch
from torch import Tensor, nn

from senga.losses import Pix2PixLoss, build_loss
from senga.models import create_model
from senga.models.generator import SengaGenerator
from senga.train.config import TrainConfig
from senga.train.distill import distill_loss, distill_params, load_teacher, warm_start_from_teacher
from senga.train.distributed import DistContext, average_gradients, wrap

#: ``guard(name, value)``: raises when ``value`` is not finite (on any rank).
Guard = Callable[[str, Tensor], None]


class TrainStep(Protocol):
    """What the trainer needs from a step object.

    Attributes:
        generator: the network checkpoints save (unwrapped from DDP).
        discriminator: the GAN discriminator (saved beside it), or None.
        optimizers: by name (``"generator"``, ``"discriminator"``); their states are checkpointed.
        terms: names of the values :meth:`step` returns (metrics.csv columns); the first is ``"loss"``.
    """

    generator: nn.Module
    optimizers: dict[str, torch.optim.Optimizer]
    terms: tuple[str, ...]

    @property
    def discriminator(self) -> nn.Module | None: ...

    def distribute(self) -> None:
        """Wrap for DDP; called after loading a checkpoint (DDP broadcasts rank 0's weights)."""

    def step(self, rgb: Tensor, ink: Tensor, guard: Guard) -> dict[str, Tensor]:
        """One update on a batch ``rgb (N,3,c,c)``, ``ink (N,1,c,c)``; returns detached loss terms."""


def build_step(config: TrainConfig, ctx: DistContext) -> TrainStep:
    """:class:`GanStep` when the config has a discriminator, else :class:`SupervisedStep`."""
    if config.discriminator is not None:
        return GanStep(config, ctx)
    if config.teacher is not None:
        return DistillStep(config, ctx)
    return SupervisedStep(config, ctx)


# ----------------------------------------------------------------------------- optimisation


def lr_at(step: int, total_steps: int, config: TrainConfig) -> float:
    """The learning rate for optimizer step ``step`` (0-based) of ``total_steps``.

    The paper trains with a constant learning rate (Adam, 1e-3); ``"cosine"``
    and a linear warm-up are offered for longer runs on new data:

    * warm-up: ``lr * (step + 1) / warmup_steps`` for ``step < warmup_steps``;
    * ``"constant"``: ``lr`` (the paper's);
    * ``"cosine"``: from ``lr`` at the end of warm-up down to ``lr * min_lr_ratio``
      at the last step, ``lr_min + (lr - lr_min) * (1 + cos(pi * t)) / 2``.

    Example::

        lr_at(0, 100, TrainConfig(steps=100))  # 0.001
    """
    lr = config.lr
    if step < config.warmup_steps:
        return lr * (step + 1) / config.warmup_steps
    if config.lr_schedule == "constant":
        return lr
    span = max(1, total_steps - config.warmup_steps - 1)
    t = min(1.0, (step - config.warmup_steps) / span)
    lr_min = lr * config.min_lr_ratio
    return lr_min + (lr - lr_min) * 0.5 * (1.0 + math.cos(math.pi * t))


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
    model = create_model(name, **options).to(ctx.device)
    if config.channels_last:
        model = model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # stubs lack memory_format
    return model.train()


def clip(model: nn.Module, config: TrainConfig) -> None:
    """Clip the global gradient norm to ``config.grad_clip`` (when set)."""
    if config.grad_clip is not None:
        nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)


# ----------------------------------------------------------------------------- supervised


class Objective(nn.Module):
    """``objective(pred, ink, rgb)``: ``senga.losses.build_loss(name, **params)`` applied to a batch.

    Most losses compare the prediction H with the ground truth G only. Exp 5's
    loss also needs the color input, from which it computes its Laplacian
    weight map (docs/paper.md, "Compared methods"); such losses say so with a class
    attribute ``needs_input = True``, and this hides that difference.

    Args:
        name: a ``senga.losses`` loss name (``"paper"``, ``"dice"``, ``"laplacian"``).
        params: its keyword parameters (e.g. ``indicator="linear:0.1,0.9"``).

    Shapes: ``pred`` and ``ink`` ``(N, 1, H, W)`` in [0, 1], ``rgb`` ``(N, 3, H, W)``
    in [0, 1]; returns a scalar. The loss runs in float32 (autocast disabled).

    Raises:
        ValueError: unknown loss or parameter (from :func:`senga.losses.build_loss`),
            or an adversarial loss (``"pix2pix"`` needs a discriminator).
    """

    def __init__(self, name: str, params: Mapping[str, Any]) -> None:
        super().__init__()
        self.name = name
        self.loss = build_loss(name, **dict(params))
        if getattr(self.loss, "adversarial", False):
            raise ValueError(
                f"loss: {name!r} is a GAN loss; it trains with a discriminator (e.g. 'patchgan')"
            )
        self.needs_input = bool(getattr(self.loss, "needs_input", False))

    def forward(self, pred: Tensor, ink: Tensor, rgb: Tensor) -> Tensor:
        with torch.autocast(pred.device.type, enabled=False):
            pred, ink = pred.float(), ink.float()
            if self.needs_input:
                return self.loss(pred, ink, rgb.float())
            return self.loss(pred, ink)


class SupervisedStep:
    """``min_G loss(G(x), y)`` with Adam (a :class:`TrainStep`; ``optimizers`` is ``{"generator": Adam}``)."""

    terms: tuple[str, ...] = ("loss",)
    discriminator: nn.Module | None = None

    def __init__(self, config: TrainConfig, ctx: DistContext) -> None:
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


# ----------------------------------------------------------------------------- distillation


class DistillStep(SupervisedStep):
    """Distils ``config.teacher`` (frozen) into ``config.model`` (:mod:`senga.train.distill`).

    The student is built, wrapped and optimised as in :class:`SupervisedStep`;
    on construction it is warm-started from the teacher
    (``warm_start_from_teacher``) when both are ``SengaGenerator`` s; a
    resumed run then loads its own checkpoint over that. Loss terms:
    ``loss``, ``soft`` (BCE to the teacher), ``gt`` (the objective on the pair).
    The teacher is never wrapped for DDP (it is frozen).
    """

    terms: tuple[str, ...] = ("loss", "soft", "gt")

    def __init__(self, config: TrainConfig, ctx: DistContext) -> None:
        if config.teacher is None:
            raise ValueError("teacher: distillation needs a teacher model")
        super().__init__(config, ctx)
        self.params = distill_params(config)
        self.teacher = load_teacher(config.teacher, ctx.device, raw=self.params["raw_targets"] > 0)
        if isinstance(self.generator, SengaGenerator) and isinstance(self.teacher, SengaGenerator):
            warm_start_from_teacher(self.generator, self.teacher)

    def step(self, rgb: Tensor, ink: Tensor, guard: Guard) -> dict[str, Tensor]:
        """One update on ``rgb (N,3,c,c)``, ``ink (N,1,c,c)``; returns the detached loss terms."""
        (opt,) = self.optimizers.values()
        with autocast(self.config, self.ctx.device):
            with torch.no_grad():
                target = self.teacher(rgb)
            pred = self._train_model(rgb)
        terms = distill_loss(pred, target, ink, rgb, self.objective, self.params)
        guard("loss", terms["loss"])
        opt.zero_grad(set_to_none=True)
        terms["loss"].backward()
        clip(self.generator, self.config)
        opt.step()
        return {k: v.detach() for k, v in terms.items()}


# ----------------------------------------------------------------------------- pix2pix


def _set_requires_grad(model: nn.Module, flag: bool) -> None:
    for p in model.parameters():
        p.requires_grad_(flag)


class GanStep:
    """pix2pix's alternating updates (Isola et al.), a :class:`TrainStep`.

    Per step: ``fake = G(x)``; one D update on :meth:`Pix2PixLoss.discriminator_loss`;
    one G update on :meth:`Pix2PixLoss.generator_loss` (``lambda_l1`` from the
    config). Both networks use Adam (lr 2e-4, betas (0.5, 0.999) in the
    ``pix2pix`` preset). Under DDP the generator is DDP-wrapped; the
    discriminator's gradients are averaged explicitly (it runs two forwards
    per step, which DDP does not allow before one backward).

    Attributes:
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
        self.loss = Pix2PixLoss(lambda_l1=config.lambda_l1)
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
            loss_d = self.loss.discriminator_loss(d(rgb, ink), d(rgb, fake.detach()))
        guard("d_loss", loss_d)
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        average_gradients(d, self.ctx)
        clip(d, self.config)
        opt_d.step()

        _set_requires_grad(d, False)
        with autocast(self.config, self.ctx.device):
            fake_logits = d(rgb, fake)
        loss_g, g_gan, g_l1 = self.loss.generator_loss(fake_logits, fake, ink)
        guard("loss", loss_g)
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        clip(self.generator, self.config)
        opt_g.step()
        _set_requires_grad(d, True)
        return {
            "loss": loss_g.detach(),
            "g_gan": g_gan.detach(),
            "g_l1": g_l1.detach(),
            "d_loss": loss_d.detach(),
        }
