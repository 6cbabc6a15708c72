"""Periodic validation: full-image inference and the paper's exact metrics (eqs. 4-6, RMSE).

Each validation image goes through tiled inference
(:func:`senga.extract.tiling.predict_ink`, the path ``senga extract`` uses), the
prediction is quantised to 8 bits exactly as a saved PNG would be (so
``[H > 0]`` means "not pure white", PAPER.md "Metrics"), and scored with
:func:`senga.metrics.scores`. The run's score is the mean of per-image scores.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

NamedPair = tuple[np.ndarray, np.ndarray, str]

#: The validation scores, in metrics.csv order.
SCORE_NAMES: tuple[str, ...] = ("P", "R", "F1", "RMSE")


def quantize_8bit(ink: np.ndarray) -> np.ndarray:
    """Ink as read back from the 8-bit grayscale PNG ``senga extract`` writes."""
    from senga.io import gray_to_ink, ink_to_gray

    return gray_to_ink(ink_to_gray(ink))


def predict_full(model: nn.Module, rgb: np.ndarray, tile: int, overlap: int, device: torch.device) -> np.ndarray:
    """``(H, W) float32`` ink of a whole ``(H, W, 3) uint8`` image, 8-bit quantised; ``model`` left in its mode."""
    from senga.extract.tiling import predict_ink

    was_training = model.training
    try:
        with torch.no_grad():
            ink = predict_ink(model, rgb, tile=tile, overlap=overlap, device=device)
    finally:
        model.train(was_training)
    return quantize_8bit(ink)


def validate(
    model: nn.Module, pairs: Sequence[NamedPair], tile: int, overlap: int, device: torch.device
) -> dict[str, float]:
    """Mean exact ``P, R, F1, RMSE`` of ``model`` over ``pairs`` (``(rgb, ink, name)`` items)."""
    from senga.metrics import mean_scores, scores

    rows = []
    for rgb, gt, _name in pairs:
        pred = predict_full(model, rgb, tile, overlap, device)
        rows.append({k: float(v) for k, v in scores(pred, gt).items()})
    means = mean_scores(rows)
    return {k: float(means[k]) for k in SCORE_NAMES}
