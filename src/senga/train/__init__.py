"""Training: the paper's presets, the trainer, checkpoints and resume, DDP.

* :mod:`~senga.train.config`: :class:`TrainConfig` (defaults = the paper's), overrides.
* :mod:`~senga.train.presets`: ``ours``, ``wo-attn``, ``dice``, ``pix2pix``, ``exp5``.
* :mod:`~senga.train.trainer`: :func:`train` -> :class:`TrainResult`; the run folder.
* :mod:`~senga.train.data`: a run's batches and validation sets, from :mod:`senga.data`.
* :mod:`~senga.train.steps`: one optimizer step (supervised / pix2pix) behind the ``TrainStep`` Protocol.
* :mod:`~senga.train.checkpoint`: atomic, pickle-free checkpoints.
* :mod:`~senga.train.distributed`: devices and ``torchrun`` DDP.

Example::

    from senga.train import get_preset, train

    config = get_preset("ours", data=["synth"], val="synth:n=8", steps=5000, crop=256)
    result = train(config, "runs/ours")  # result.best_dir -> `senga extract --model runs/ours/best`

Names are imported lazily so that ``import senga.train`` stays light: the CLI reads
:mod:`~senga.train.config` and :mod:`~senga.train.presets` (no torch) at start-up.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "TrainConfig": "config",
    "ConfigError": "config",
    "apply_overrides": "config",
    "PRESETS": "presets",
    "get_preset": "presets",
    "train": "trainer",
    "TrainResult": "trainer",
    "TrainingError": "trainer",
    "NonFiniteLossError": "trainer",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"senga.train.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'senga.train' has no attribute {name!r}")
