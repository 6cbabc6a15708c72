"""Learning-rate schedules as pure functions of the step (nothing to checkpoint).

The paper trains with a constant learning rate (Adam, 1e-3); ``"cosine"`` and a
linear warm-up are offered for longer runs on new data. Because the rate is a
function of ``(step, total_steps, config)`` only, resuming needs just the step.
"""

from __future__ import annotations

import math

from senga.train.config import TrainConfig


def lr_at(step: int, total_steps: int, config: TrainConfig) -> float:
    """The learning rate for optimizer step ``step`` (0-based) of ``total_steps``.

    * warm-up: ``lr * (step + 1) / warmup_steps`` for ``step < warmup_steps``;
    * ``"constant"``: ``lr`` (the paper's);
    * ``"cosine"``: from ``lr`` at the end of warm-up down to ``lr * min_lr_ratio``
      at the last step, ``lr_min + (lr - lr_min) * (1 + cos(pi * t)) / 2``.

    Example::

        lr_at(0, 100, TrainConfig(steps=100))   # 0.001
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
