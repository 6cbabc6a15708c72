"""The bench's seam to training and data: what the fast bench tests replace with fakes.

A bench trains five models; its own logic (planning rows, resuming, scoring,
writing tables and figures) is tested in seconds by swapping these functions
for tiny deterministic fakes (``tests/bench/conftest.py``). Scoring itself is
not part of the seam: every predictor goes through :func:`senga.evaluate.evaluate`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from senga.data.paired import NamedPair


@dataclass
class Backend:
    """Everything the bench needs from other packages.

    Attributes:
        get_preset: ``(name, **overrides) -> TrainConfig`` (:func:`senga.train.get_preset`).
        train: ``(config, run_dir, resume=bool, progress=bool) -> TrainResult`` with
            ``steps``, ``seconds``, ``best_dir`` (None without validation), ``last_dir``.
        load_model: checkpoint folder -> a predictor for :func:`senga.evaluate.evaluate`
            (``senga.models.from_pretrained``: a generator, run tiled).
        classical: name -> ``rgb (H,W,3) uint8 -> (H,W) float32`` ink (``senga.classical.METHODS``).
        load_pairs: paired folder root -> sequence of ``(rgb, ink, name)``; raises
            ``ValueError`` (``DatasetError``) naming every problem.
        write_dataset: ``(out_dir, n, seed, size)`` writes a synthetic paired folder.
    """

    get_preset: Callable[..., Any]
    train: Callable[..., Any]
    load_model: Callable[[Path], Any]
    classical: Mapping[str, Callable[[np.ndarray], np.ndarray]]
    load_pairs: Callable[[Path], Sequence[NamedPair]]
    write_dataset: Callable[..., Any]


def default_backend() -> Backend:
    """The real senga functions."""
    # imported here, not at the top: `senga bench` declares its flags from senga.bench at CLI start-up
    # (`senga --help`), which should not load the trainer, the models and the classical filters
    from senga.classical import METHODS
    from senga.data.paired import PairedFolder
    from senga.data.synth import write_dataset
    from senga.models import from_pretrained
    from senga.train.presets import get_preset
    from senga.train.trainer import train

    return Backend(
        get_preset=get_preset,
        train=train,
        load_model=from_pretrained,
        classical=METHODS,
        load_pairs=PairedFolder,
        write_dataset=write_dataset,
    )
