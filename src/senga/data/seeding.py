"""Reproducible randomness for data streams: every draw is a pure function of its coordinates.

Sample ``i`` of the training stream of DDP rank ``r`` under seed ``seed`` is
drawn from ``sample_rng(seed, r, i)``, a fresh :class:`numpy.random.Generator`
seeded with ``SeedSequence([tag, seed, r, i])``. Nothing depends on which
DataLoader worker computes it or on what was drawn before, so:

* workers and ranks get distinct, reproducible streams (worker ``k`` of a
  loader with ``W`` workers computes samples ``k, k+W, ...`` of its rank's stream);
* resuming at optimizer step ``t`` with batch size ``B`` is starting the
  stream at sample ``t * B`` (see ``make_loader(start_step=...)`` and
  ``PreloadedPairs.batch(step)``); no RNG state needs to be saved.
"""

from __future__ import annotations

import numpy as np
import torch.distributed as dist

#: Domain tags keep the different kinds of draws from ever sharing a seed.
TAG_SAMPLE = 0x5E6A_0001
TAG_EPOCH = 0x5E6A_0002


def _check(name: str, value: int) -> int:
    if int(value) != value or value < 0:
        raise ValueError(f"{name}: must be a non-negative integer, got {value!r}")
    return int(value)


def sample_rng(seed: int, rank: int, index: int) -> np.random.Generator:
    """The generator for sample ``index`` of rank ``rank``'s stream under ``seed``."""
    return np.random.default_rng(
        np.random.SeedSequence(
            [TAG_SAMPLE, _check("seed", seed), _check("rank", rank), _check("index", index)]
        )
    )


def epoch_rng(seed: int, rank: int, epoch: int) -> np.random.Generator:
    """The generator for epoch-level draws (the order pairs are visited in)."""
    return np.random.default_rng(
        np.random.SeedSequence(
            [TAG_EPOCH, _check("seed", seed), _check("rank", rank), _check("epoch", epoch)]
        )
    )


def current_rank() -> int:
    """This process's DDP rank (0 when torch.distributed is not initialised)."""
    if dist.is_available() and dist.is_initialized():
        return int(dist.get_rank())
    return 0
