"""Sample grids: ``RUN/samples/step_XXXXXX.png``, one row per image: input | prediction | ground truth.

The images are fixed for the whole run (the first validation pairs, or the
first training samples when there is no validation set), center-cropped to at
most :data:`SAMPLE_SIDE` pixels, so successive grids show the same content.
Predictions and ground truth are drawn as black lines on white.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from senga.data.paired import NamedPair
from senga.io import ink_to_gray, write_rgb

#: Largest side of one cell of the grid.
SAMPLE_SIDE = 256
#: Images per grid.
SAMPLE_COUNT = 4
#: White gap between cells, in pixels.
GAP = 4


def center_crop(image: np.ndarray, side: int = SAMPLE_SIDE) -> np.ndarray:
    """The central ``min(H, side) x min(W, side)`` window of an ``(H, W, ...)`` array."""
    h, w = image.shape[:2]
    top, left = max(0, (h - side) // 2), max(0, (w - side) // 2)
    return image[top : top + side, left : left + side]


def sample_inputs(pairs: Sequence[NamedPair]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The fixed ``(rgb, ink)`` crops a run's sample grids show."""
    return [(center_crop(rgb), center_crop(ink)) for rgb, ink, _ in list(pairs)[:SAMPLE_COUNT]]


def grid(rows: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> np.ndarray:
    """``[(rgb (h,w,3) uint8, pred ink (h,w), gt ink (h,w))]`` -> one ``(H, W, 3) uint8`` image."""
    cells_h = [r[0].shape[0] for r in rows]
    width = max(r[0].shape[1] for r in rows)
    out = np.full((sum(cells_h) + GAP * (len(rows) - 1), 3 * width + 2 * GAP, 3), 255, np.uint8)
    y = 0
    for rgb, pred, gt in rows:
        h, w = rgb.shape[:2]
        for i, cell in enumerate((rgb, _gray_rgb(ink_to_gray(pred)), _gray_rgb(ink_to_gray(gt)))):
            x = i * (width + GAP)
            out[y : y + h, x : x + w] = cell
        y += h + GAP
    return out


def _gray_rgb(gray: np.ndarray) -> np.ndarray:
    return np.repeat(gray[..., None], 3, axis=2)


def write_samples(
    path: Path, model: nn.Module, inputs: Sequence[tuple[np.ndarray, np.ndarray]], device: torch.device
) -> None:
    """Predict each crop (eval mode, whole crop at once) and write the grid PNG atomically."""
    if not inputs:
        return
    was_training = model.training
    model.eval()
    rows = []
    try:
        with torch.no_grad():
            for rgb, ink in inputs:
                x = torch.from_numpy(np.array(rgb, copy=True)).permute(2, 0, 1)[None].float().div(255.0)
                pred = model(x.to(device))[0, 0].float().clamp(0, 1).cpu().numpy()
                rows.append((rgb, pred, ink))
    finally:
        model.train(was_training)
    write_rgb(path, grid(rows))
