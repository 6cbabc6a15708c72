"""Training and evaluation data.

* :mod:`senga.data.synth` - the synthetic illustration engine (pairs with exact line art);
* :mod:`senga.data.paired` - paired folders ``ROOT/color/NAME.*`` + ``ROOT/line/NAME.*``, validated;
* :mod:`senga.data.augment` - the paper's augmentation (scale, k*90 rotation, flip, crop);
* :mod:`senga.data.sources` - ``--data`` / ``--val`` spec parsing, sources, drawing a source by weight, validation sets;
* :mod:`senga.data.mixing` - the DataLoader path: mixed sources, augmented per sample;
* :mod:`senga.data.preload` - the whole dataset on the device, augmented with torch ops;
* :mod:`senga.data.seeding` - every random draw as a pure function of (seed, rank, index).

Names are imported lazily, so ``import senga.data.synth`` does not import torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "ArrayPair": "paired",
    "DatasetError": "paired",
    "NamedPair": "paired",
    "PairFiles": "paired",
    "PairedFolder": "paired",
    "validate_pairs": "paired",
    "AugmentConfig": "augment",
    "AugmentParams": "augment",
    "augment_pair": "augment",
    "sample_params": "augment",
    "DataSpec": "sources",
    "parse_data_spec": "sources",
    "Source": "sources",
    "FolderSource": "sources",
    "SynthSource": "sources",
    "ArraySource": "sources",
    "build_source": "sources",
    "open_sources": "sources",
    "check_weights": "sources",
    "pick_source": "sources",
    "load_validation": "sources",
    "MixedTrainingSet": "mixing",
    "make_loader": "mixing",
    "PreloadedPairs": "preload",
    "sample_rng": "seeding",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"senga.data.{_EXPORTS[name]}"), name)
    if name == "synth":
        return importlib.import_module("senga.data.synth")
    raise AttributeError(f"module 'senga.data' has no attribute {name!r}")
