"""Scoring one method on one test set, the way users see its output.

Every prediction is quantised to 8 bits first (``gray_to_ink(ink_to_gray(ink))``),
exactly what a saved PNG holds, so ``[H > 0]`` in eqs. 4-6 means "pixel not pure
white". Scores are per image (eqs. 4-6 and RMSE via ``senga.metrics.scores``);
the set's score is the mean of the per-image values (PAPER.md: the table's F1 is
not 2PR/(P+R) of its P and R).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from senga.bench.result import METRICS, Evaluation
from senga.io import gray_to_ink, ink_to_gray


def quantize_ink(ink: np.ndarray) -> np.ndarray:
    """``(H, W)`` ink -> the ``(H, W) float32`` ink an 8-bit grayscale file holds."""
    return gray_to_ink(ink_to_gray(ink))


def evaluate(
    method: str,
    predict: Callable[[np.ndarray], np.ndarray],
    pairs: Iterable[tuple[np.ndarray, np.ndarray, str]],
    scores: Callable[[np.ndarray, np.ndarray], Mapping[str, Any]],
    keep: Callable[[str, np.ndarray], None] | None = None,
) -> Evaluation:
    """Score ``predict`` on every ``(rgb, gt_ink, name)`` of a test set.

    Args:
        method: name used in error messages.
        predict: ``(H,W,3) uint8 -> (H,W)`` ink.
        scores: ``(pred, gt) -> {"P","R","F1","RMSE"}``.
        keep: called with every ``(name, quantised prediction)`` (to save it or
            keep it for the figure).

    Raises:
        ValueError: the test set is empty, or a prediction's shape differs from its ground truth.
    """
    images: list[dict[str, Any]] = []
    for rgb, gt, name in pairs:
        ink = np.asarray(predict(rgb), dtype=np.float32)
        if ink.shape != gt.shape:
            raise ValueError(f"{method}: prediction for {name} is {ink.shape}, ground truth is {gt.shape}")
        ink8 = quantize_ink(ink)
        s = scores(ink8, np.asarray(gt, dtype=np.float32))
        images.append({"name": name, **{k: float(s[k]) for k in METRICS}})
        if keep is not None:
            keep(name, ink8)
    if not images:
        raise ValueError(f"{method}: the test set has no images")
    mean = {k: float(np.mean([im[k] for im in images])) for k in METRICS}
    return Evaluation(mean=mean, images=images)
