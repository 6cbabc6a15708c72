"""The bench's one seam to the rest of senga: training, inference, metrics, data.

:class:`Backend` names every outside function the bench calls, with the
contracts of ``docs/architecture.md``. :func:`default_backend` wires the real
modules, imported lazily (so ``senga --help`` does not import torch, and this
module imports even before the other packages exist). Tests swap in small fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class Backend:
    """Everything the bench needs from other packages.

    Attributes:
        get_preset: ``(name, **overrides) -> TrainConfig`` (:mod:`senga.train`).
        train: ``(config, run_dir, resume=bool, progress=bool) -> TrainResult`` with
            ``steps``, ``seconds``, ``best_dir`` (None without validation), ``last_dir``.
        load_model: checkpoint folder -> generator (``senga.models.from_pretrained``).
        predict_ink: ``(model, rgb (H,W,3) uint8, tile, overlap, device) -> (H,W) float32`` ink.
        classical: name -> ``rgb (H,W,3) uint8 -> (H,W) float32`` ink (``senga.classical.METHODS``).
        scores: ``(pred (H,W), gt (H,W)) -> {"P","R","F1","RMSE"}`` (``senga.metrics.scores``).
        load_pairs: paired folder root -> sequence of ``(rgb, ink, name)``; raises
            ``ValueError`` (``DatasetError``) naming every problem.
        write_dataset: ``(out_dir, n, seed, size)`` writes a synthetic paired folder.
    """

    get_preset: Callable[..., Any]
    train: Callable[..., Any]
    load_model: Callable[[Path], Any]
    predict_ink: Callable[..., np.ndarray]
    classical: Mapping[str, Callable[[np.ndarray], np.ndarray]]
    scores: Callable[[np.ndarray, np.ndarray], Mapping[str, Any]]
    load_pairs: Callable[[Path], Sequence[tuple[np.ndarray, np.ndarray, str]]]
    write_dataset: Callable[..., Any]


class _LazyClassical(Mapping[str, Callable[[np.ndarray], np.ndarray]]):
    """``senga.classical.METHODS``, imported on first use."""

    def _methods(self) -> Mapping[str, Callable[[np.ndarray], np.ndarray]]:
        from senga.classical import METHODS

        return METHODS

    def __getitem__(self, key: str) -> Callable[[np.ndarray], np.ndarray]:
        return self._methods()[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._methods())

    def __len__(self) -> int:
        return len(self._methods())


def _get_preset(name: str, **overrides: Any) -> Any:
    from senga.train import get_preset

    return get_preset(name, **overrides)


def _train(config: Any, run_dir: Path, resume: bool = False, progress: bool = True) -> Any:
    from senga.train import train

    return train(config, run_dir, resume=resume, progress=progress)


def _load_model(path: Path) -> Any:
    from senga.models import from_pretrained

    return from_pretrained(path)


def _predict_ink(model: Any, rgb: np.ndarray, tile: int, overlap: int, device: str) -> np.ndarray:
    from senga.extract.tiling import predict_ink

    return predict_ink(model, rgb, tile=tile, overlap=overlap, device=device)


def _scores(pred: np.ndarray, gt: np.ndarray) -> Mapping[str, Any]:
    from senga.metrics import scores

    return scores(pred, gt)


def _load_pairs(root: Path) -> Sequence[tuple[np.ndarray, np.ndarray, str]]:
    from senga.data.paired import PairedFolder

    return PairedFolder(root)


def _write_dataset(out_dir: Path, n: int, seed: int, size: int) -> Any:
    from senga.data.synth import write_dataset

    return write_dataset(out_dir, n=n, seed=seed, size=size)


def default_backend() -> Backend:
    """The real senga modules (imported when first called, not here)."""
    return Backend(
        get_preset=_get_preset,
        train=_train,
        load_model=_load_model,
        predict_ink=_predict_ink,
        classical=_LazyClassical(),
        scores=_scores,
        load_pairs=_load_pairs,
        write_dataset=_write_dataset,
    )
