"""Scoring a line extractor on a set of pairs, the way users see its output: the one ``evaluate``.

Training validation (:mod:`senga.train.trainer`), the bench (:mod:`senga.bench`)
and ``benchmarks/bench_quality.py`` all score through :func:`evaluate`:

1. predict every ``(rgb, gt_ink, name)`` pair: a generator ``nn.Module`` runs
   through tiled inference (:func:`senga.extract.tiling.predict_ink`, the path
   ``senga extract`` uses, with its tiling defaults), and so does an exported
   ``.onnx`` file; an extractor (anything with ``predict_ink(rgb)``, e.g.
   :class:`senga.extract.LineExtractor`) or a plain function
   ``rgb (H,W,3) uint8 -> ink (H,W)`` (a classical method) is called;
2. quantise the prediction to 8 bits (:func:`quantize_ink`), exactly what a
   saved PNG holds, so ``[H > 0]`` in eqs. 4-6 means "pixel not pure white";
3. score it with :func:`senga.metrics.scores` (eqs. 4-6 and RMSE);
4. average the per-image scores (:func:`senga.metrics.mean_scores`; docs/paper.md:
   the table's F1 is the mean of per-image F1, not 2PR/(P+R) of the means).

Score names and their order are :data:`senga.metrics.SCORE_KEYS` everywhere.

Example::

    from senga.evaluate import evaluate

    ev = evaluate(LineExtractor.from_pretrained(), PairedFolder("data/dev"))
    ev.mean["F1"], ev.images[0]  # {"name": ..., "P": ..., "R": ..., "F1": ..., "RMSE": ...}
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from senga.extract.tiling import Tiling, as_tiling, predict_ink
from senga.io import gray_to_ink, ink_to_gray
from senga.metrics import SCORE_KEYS, mean_scores, scores

#: ``rgb (H,W,3) uint8 -> ink (H,W)``.
PredictFn = Callable[[np.ndarray], np.ndarray]
#: What :func:`evaluate` scores: a generator or ``.onnx`` file, an object with ``predict_ink(rgb)``, or a :data:`PredictFn`.
Predictor = Any


@dataclass
class Evaluation:
    """One predictor on one set of pairs.

    Attributes:
        mean: ``{"P", "R", "F1", "RMSE"}``, the mean of the per-image scores.
        images: ``[{"name": str, "P": float, "R": float, "F1": float, "RMSE": float}]`` in set order.
    """

    mean: dict[str, float]
    images: list[dict[str, Any]]


def quantize_ink(ink: np.ndarray) -> np.ndarray:
    """``(H, W)`` ink -> the ``(H, W) float32`` ink an 8-bit grayscale file holds (what ``senga extract`` writes)."""
    return gray_to_ink(ink_to_gray(ink))


def as_predict_fn(
    predictor: Predictor,
    tile: int | None = None,
    overlap: int | None = None,
    device: Any = "cpu",
    *,
    tiling: Tiling | None = None,
) -> PredictFn:
    """The ``rgb -> ink`` function of a predictor (tiled with ``tiling``, or ``tile`` / ``overlap``).

    A generator ``nn.Module`` runs tiled (no grad; its train/eval mode is restored
    afterwards); an object with ``predict_ink(rgb)`` (an extractor) or a function is
    called as is; anything else :func:`senga.extract.tiling.predict_ink` runs
    (an exported ``.onnx`` file, an extraction backend).
    """
    t = as_tiling(tiling, tile, overlap)
    # torch is not imported here (evaluate works in a torch-free install): a predictor can only be
    # an nn.Module when torch is already loaded
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(predictor, torch.nn.Module):
        model = predictor

        def predict(rgb: np.ndarray) -> np.ndarray:
            was_training = model.training
            try:
                with torch.no_grad():
                    return predict_ink(model, rgb, t.tile, t.overlap, device, batch_size=t.batch_size)
            finally:
                model.train(was_training)

        return predict
    method = getattr(predictor, "predict_ink", None)
    if callable(method):
        return method
    if callable(predictor):
        return predictor
    return lambda rgb: predict_ink(predictor, rgb, t.tile, t.overlap, device, batch_size=t.batch_size)


def evaluate(
    predictor: Predictor,
    pairs: Iterable[tuple[np.ndarray, np.ndarray, str]],
    *,
    tiling: Tiling | None = None,
    tile: int | None = None,
    overlap: int | None = None,
    device: Any = "cpu",
    name: str = "model",
    keep: Callable[[str, np.ndarray], None] | None = None,
) -> Evaluation:
    """Score ``predictor`` on every ``(rgb (H,W,3) uint8, gt ink (H,W), name)`` of ``pairs``.

    Args:
        predictor: a generator ``nn.Module`` or ``.onnx`` file (run tiled with ``tiling``
            on ``device``), an object with ``predict_ink(rgb)`` or a function ``rgb -> ink``.
        pairs: the set, e.g. a :class:`senga.data.paired.PairedFolder` or a list of triples.
        tiling, device: tiled inference of a generator (ignored otherwise); default
            ``Tiling()``, ``senga extract``'s; ``tile`` / ``overlap`` instead of ``tiling`` also work.
        name: the predictor's name in error messages.
        keep: called with every ``(pair name, quantised prediction (H,W) float32)``
            (to save it, or keep it for a figure).

    Returns:
        The per-image scores and their mean (keys :data:`senga.metrics.SCORE_KEYS`).

    Raises:
        ValueError: the set is empty, or a prediction's shape differs from its ground truth.
    """
    predict = as_predict_fn(predictor, tile, overlap, device, tiling=tiling)
    images: list[dict[str, Any]] = []
    for rgb, gt, pair_name in pairs:
        ink = np.asarray(predict(rgb), dtype=np.float32)
        if ink.shape != gt.shape:
            raise ValueError(f"{name}: prediction for {pair_name} is {ink.shape}, ground truth is {gt.shape}")
        ink8 = quantize_ink(ink)
        s = scores(ink8, np.asarray(gt, dtype=np.float32))
        images.append({"name": pair_name, **{k: float(s[k]) for k in SCORE_KEYS}})
        if keep is not None:
            keep(pair_name, ink8)
    if not images:
        raise ValueError(f"{name}: the set has no images")
    means = mean_scores(images)
    return Evaluation(mean={k: means[k] for k in SCORE_KEYS}, images=images)
