"""The supervised training objective: a :mod:`senga.losses` loss behind one call signature.

Most losses compare the prediction H with the ground truth G only. Exp 5's
loss also needs the color input, from which it computes its Laplacian weight
map (PAPER.md "Compared methods"); such losses say so with a class attribute
``needs_input = True``. :class:`Objective` hides that difference from the
trainer: ``objective(pred, ink, rgb) -> scalar``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import Tensor, nn


class Objective(nn.Module):
    """``objective(pred, ink, rgb)``: ``senga.losses.build_loss(name, **params)`` applied to a batch.

    Args:
        name: a ``senga.losses`` loss name (``"paper"``, ``"dice"``, ``"laplacian"``).
        params: its keyword parameters (e.g. ``indicator="linear:0.1,0.9"``).

    Shapes: ``pred`` and ``ink`` ``(N, 1, H, W)`` in [0, 1], ``rgb`` ``(N, 3, H, W)``
    in [0, 1]; returns a scalar. The loss runs in float32 (autocast disabled).

    Raises:
        ValueError: unknown loss or parameter (from :func:`senga.losses.build_loss`).
    """

    def __init__(self, name: str, params: Mapping[str, Any]) -> None:
        super().__init__()
        from senga.losses import build_loss

        self.name = name
        self.loss = build_loss(name, **dict(params))
        self.needs_input = bool(getattr(self.loss, "needs_input", False))

    def forward(self, pred: Tensor, ink: Tensor, rgb: Tensor) -> Tensor:
        with torch.autocast(pred.device.type, enabled=False):
            pred, ink = pred.float(), ink.float()
            if self.needs_input:
                return self.loss(pred, ink, rgb.float())
            return self.loss(pred, ink)
