"""The paper's exact metrics: grayscale precision, recall, F1 (eqs. 4-6) and RMSE.

* :mod:`senga.metrics.grayscale`: the metrics on numpy arrays / torch tensors.
* :mod:`senga.metrics.files`: scoring folders of image files (``senga eval``).
"""

from __future__ import annotations

from senga.metrics.files import EVAL_EXTENSIONS, EvalReport, ImageScore, evaluate_folders
from senga.metrics.grayscale import (
    DEFAULT_EPS,
    SCORE_KEYS,
    InkStats,
    f1,
    ink_statistics,
    mean_scores,
    precision,
    recall,
    rmse,
    scores,
    shared_ink,
)

__all__ = [
    "DEFAULT_EPS",
    "EVAL_EXTENSIONS",
    "SCORE_KEYS",
    "EvalReport",
    "ImageScore",
    "InkStats",
    "evaluate_folders",
    "f1",
    "ink_statistics",
    "mean_scores",
    "precision",
    "recall",
    "rmse",
    "scores",
    "shared_ink",
]
