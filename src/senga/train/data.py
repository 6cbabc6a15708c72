"""Training batches from ``--data`` specs, via :mod:`senga.data` (the trainer's only data seam).

Sample ``i`` of rank ``r`` is a pure function of ``(seed, r, i)``
(:mod:`senga.data.seeding`), and batch ``t`` is samples ``t*B .. t*B+B-1``,
so resuming at step ``t`` is starting the stream at batch ``t``; nothing about
the data needs to be checkpointed besides the step.

Two paths, as in docs/paper.md, "Training setup":

* DataLoader (default): :class:`senga.data.MixedTrainingSet` +
  :func:`senga.data.make_loader`, augmented on the CPU by ``workers`` processes;
* ``preload``: :class:`senga.data.PreloadedPairs`, every pair of the folder
  sources on the training device, augmented there (the paper's setup; folder
  sources only).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import torch

from senga.data.augment import AugmentConfig
from senga.data.mixing import MixedTrainingSet, make_loader
from senga.data.paired import NamedPair
from senga.data.preload import PreloadedPairs
from senga.data.sources import Source, load_validation, open_sources
from senga.train.config import ConfigError, TrainConfig
from senga.train.distributed import DistContext

Batch = tuple[torch.Tensor, torch.Tensor]


@dataclass
class TrainingData:
    """The parsed sources of a run.

    Attributes:
        sources: one :class:`senga.data.sources.Source` per ``--data`` spec.
        weights: their mixing weights.
        folder_pairs: pairs in the finite (folder) sources; the default epoch size.
    """

    config: TrainConfig
    ctx: DistContext
    sources: list[Source]
    weights: list[float]
    folder_pairs: int

    def steps_per_epoch(self) -> int:
        """``ceil(epoch_size / (batch * world_size))``.

        Raises:
            ConfigError: epochs were asked for but only endless (synth) sources are given.
        """
        size = self.config.epoch_size or self.folder_pairs
        if not size:
            raise ConfigError(
                "epochs: the data has no folder sources, so an epoch has no size; "
                "give --steps, or --set epoch_size=N"
            )
        return math.ceil(size / (self.config.batch * self.ctx.world_size))

    def total_steps(self) -> int:
        """The run's length in optimizer steps (``steps``, or ``epochs * steps_per_epoch``)."""
        if self.config.steps is not None:
            return self.config.steps
        assert self.config.epochs is not None
        return self.config.epochs * self.steps_per_epoch()

    def _augment(self) -> AugmentConfig:
        try:
            return AugmentConfig(crop=self.config.crop, **self.config.augment)
        except TypeError as err:
            raise ConfigError(f"augment: {err}") from None

    def mixed_set(self, length: int) -> MixedTrainingSet:
        """The DataLoader-path dataset of this rank (item ``i`` = stream sample ``i``)."""
        return MixedTrainingSet(
            self.sources,
            self.weights,
            self._augment(),
            seed=self.config.seed,
            length=length,
            rank=self.ctx.rank,
        )

    def batches(self, start_step: int, total_steps: int) -> Iterator[Batch]:
        """Batches ``start_step .. total_steps-1`` of this rank's stream, on the training device."""
        config, device = self.config, self.ctx.device
        if config.preload:
            data = PreloadedPairs.from_sources(
                self.sources, self.weights, device, self._augment(), seed=config.seed, rank=self.ctx.rank
            )
            yield from data.batches(config.batch, start_step=start_step, steps=total_steps - start_step)
            return
        dataset = self.mixed_set(length=max(1, total_steps) * config.batch)
        loader = make_loader(
            dataset,
            config.batch,
            workers=config.workers,
            start_step=start_step,
            pin_memory=device.type == "cuda",
        )
        for rgb, ink in loader:
            yield rgb.to(device, non_blocking=True), ink.to(device, non_blocking=True)

    def preview_pairs(self, n: int) -> list[NamedPair]:
        """The first ``n`` augmented training samples (for sample grids when there is no validation set)."""
        dataset = self.mixed_set(length=n)
        return [(*dataset.sample(i), f"train-{i}") for i in range(n)]


def load_training_data(config: TrainConfig, ctx: DistContext) -> TrainingData:
    """Open every ``--data`` source (:func:`senga.data.sources.open_sources`; folders are validated here, before training).

    Raises:
        ValueError: no data, a bad spec, or a bad folder (``DatasetError`` lists every problem).
    """
    if not config.data:
        raise ConfigError("data: no training data given (use --data DIR or --data synth)")
    sources, weights = open_sources(config.data)
    folder_pairs = sum(len(s) for s in sources if s.finite)
    return TrainingData(config, ctx, sources, weights, folder_pairs)


def validation_specs(config: TrainConfig) -> list[str]:
    """The validation set specs of ``config.val`` (one string or a list of them)."""
    if not config.val:
        return []
    return [config.val] if isinstance(config.val, str) else list(config.val)


def load_validation_sets(config: TrainConfig) -> dict[str, list[NamedPair]]:
    """Every validation set of ``config.val``, keyed by its spec, in order (empty without one).

    Each spec is a paired folder or ``synth[:n=N,seed=S,size=Z]``
    (:func:`senga.data.sources.load_validation`; its default seed is distinct
    from the training stream's).
    """
    sets = {}
    for spec in validation_specs(config):
        sets[spec] = load_validation(spec)
        if not sets[spec]:
            raise ConfigError(f"val: {spec!r} holds no pairs")
    return sets
