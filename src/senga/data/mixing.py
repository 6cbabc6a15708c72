"""The DataLoader path: a weighted mix of sources, augmented per sample, as torch tensors.

Sample ``i`` of the stream (for DDP rank ``r``, training seed ``seed``) is made
from ``rng = sample_rng(seed, r, i)`` (:mod:`senga.data.seeding`) in this order:

1. pick a source with probability ``weight / sum(weights)`` (:func:`~senga.data.sources.pick_source`);
2. ``source.draw(rng)`` (a folder pair uniformly, or a synthetic pair);
3. :func:`~senga.data.augment.augment_pair` with the :class:`AugmentConfig`.

So the stream is a pure function of ``(seed, rank, i)``: the result does not
depend on the number of DataLoader workers, ranks get distinct streams, and a
run resumed at step ``t`` continues exactly with ``make_loader(..., start_step=t)``.

Example::

    sources = [build_source("synth:weight=3"), build_source("data/mine")]
    ds = MixedTrainingSet(sources, [3, 1], AugmentConfig(), seed=0, length=steps * 15)
    for rgb, ink in make_loader(ds, batch_size=15, workers=4):
        ...  # rgb (15, 3, 256, 256), ink (15, 1, 256, 256), float32
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from typing import Any

import cv2
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from senga.data.augment import AugmentConfig, augment_with
from senga.data.seeding import current_rank, sample_rng
from senga.data.sources import DataSpec, Source, check_weights, open_sources, pick_source


def to_tensors(rgb: np.ndarray, ink: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """``(H,W,3) uint8`` + ``(H,W) float`` -> ``(3,H,W)`` float32 in [0,1] + ``(1,H,W)`` float32."""
    rgb_t = torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1).float().div_(255.0)
    ink_t = torch.from_numpy(np.ascontiguousarray(ink, dtype=np.float32)).unsqueeze(0)
    return rgb_t, ink_t


class MixedTrainingSet(Dataset[tuple[torch.Tensor, torch.Tensor]]):
    """A map-style dataset over a virtual length: item ``i`` is stream sample ``i``.

    Args:
        sources: where pairs come from (:class:`~senga.data.sources.Source`).
        weights: one positive mixing weight per source.
        augment: the per-sample augmentation (crop size, scale range, ...).
        seed: the training seed (integer >= 0).
        length: number of samples (e.g. ``steps * batch_size``); the stream
            itself is endless, this only bounds iteration.
        rank: DDP rank whose stream this is (default: the current rank, 0 without DDP).

    Item ``i``: ``rgb (3, crop, crop)`` float32 in [0,1] and ``ink (1, crop, crop)`` float32.
    """

    def __init__(
        self,
        sources: Sequence[Source],
        weights: Sequence[float],
        augment: AugmentConfig | None = None,
        seed: int = 0,
        length: int = 1_000_000,
        rank: int | None = None,
    ) -> None:
        self.sources = list(sources)
        self.weights = [float(w) for w in weights]
        self._cumulative = check_weights(self.weights, len(self.sources))
        self.augment = augment or AugmentConfig()
        if int(seed) != seed or seed < 0:
            raise ValueError(f"data seed: must be a non-negative integer, got {seed!r}")
        if length < 1:
            raise ValueError(f"data length: must be >= 1, got {length}")
        self.seed, self.length = int(seed), int(length)
        self.rank = current_rank() if rank is None else int(rank)

    @classmethod
    def from_specs(
        cls,
        specs: Sequence[DataSpec | str],
        augment: AugmentConfig | None = None,
        seed: int = 0,
        length: int = 1_000_000,
        rank: int | None = None,
        preload: bool = False,
    ) -> MixedTrainingSet:
        """Build every source of ``--data`` specs (validating folders) and mix them by their weights."""
        sources, weights = open_sources(specs, preload=preload)
        return cls(sources, weights, augment, seed, length, rank)

    def __len__(self) -> int:
        return self.length

    def source_index(self, index: int) -> int:
        """Which source sample ``index`` comes from (for checks and logs)."""
        return pick_source(self._cumulative, sample_rng(self.seed, self.rank, index))

    def sample(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Stream sample ``index`` as numpy: ``rgb (crop,crop,3) uint8``, ``ink (crop,crop) float32``."""
        rng = sample_rng(self.seed, self.rank, index)
        source = self.sources[pick_source(self._cumulative, rng)]
        rgb, ink = source.draw(rng)
        return augment_with(self.augment, rgb, ink, rng)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return to_tensors(*self.sample(int(index)))


class StreamSampler(Sampler[int]):
    """Indices ``start, start+1, ..., stop-1`` in order (the stream position is the index)."""

    def __init__(self, start: int, stop: int) -> None:
        self.start, self.stop = int(start), max(int(start), int(stop))

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.start, self.stop))

    def __len__(self) -> int:
        return self.stop - self.start


def _worker_init(worker_id: int) -> None:
    """Keep each worker single-threaded (workers already run in parallel) and seed global RNGs."""
    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    seed = torch.initial_seed() % 2**32  # distinct per worker, set by the DataLoader
    random.seed(seed)
    np.random.seed(seed)


def make_loader(
    dataset: MixedTrainingSet,
    batch_size: int,
    workers: int = 0,
    start_step: int = 0,
    pin_memory: bool = False,
    prefetch_factor: int = 4,
) -> DataLoader[tuple[torch.Tensor, torch.Tensor]]:
    """A DataLoader over the stream, in order, from batch ``start_step``.

    Batch ``t`` holds stream samples ``t*batch_size .. (t+1)*batch_size - 1``
    whatever ``workers`` is, so resuming at step ``t`` is ``start_step=t``.
    Do not wrap the dataset in a ``DistributedSampler``: ranks already differ
    through their seeds.

    Args:
        dataset: the mixed stream.
        batch_size: samples per batch (the last incomplete batch is dropped).
        workers: DataLoader worker processes (0: load in this process).
        start_step: first batch to produce.
        pin_memory: pin batches for faster host-to-GPU copies.
        prefetch_factor: batches loaded ahead per worker.

    Returns:
        Batches ``(rgb (B,3,crop,crop), ink (B,1,crop,crop))`` float32.
    """
    if batch_size < 1:
        raise ValueError(f"batch size: must be >= 1, got {batch_size}")
    if workers < 0:
        raise ValueError(f"workers: must be >= 0, got {workers}")
    start = start_step * batch_size
    stop = max(start, math.floor(len(dataset) / batch_size) * batch_size)
    # Workers come from a fork server, not a plain fork: forking a process whose
    # OpenMP / OpenCV thread pools are already running can deadlock the child
    # (seen here: a worker hung in torch.set_num_threads).
    extra: dict[str, Any] = (
        {
            "prefetch_factor": prefetch_factor,
            "worker_init_fn": _worker_init,
            "multiprocessing_context": "forkserver",
            "persistent_workers": True,
        }
        if workers > 0
        else {}
    )
    return DataLoader(
        dataset,
        batch_size=batch_size,
        sampler=StreamSampler(start, stop),
        num_workers=workers,
        pin_memory=pin_memory,
        drop_last=True,
        **extra,
    )
