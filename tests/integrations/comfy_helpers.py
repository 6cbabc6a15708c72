"""Helpers for the integration tests: ComfyUI IMAGE tensors (drawings: ``images.drawn_image``)."""

from __future__ import annotations

import numpy as np
import torch


def to_comfy(images: list[np.ndarray]) -> torch.Tensor:
    """``(H, W, C) uint8`` images of one size -> ComfyUI ``IMAGE`` ``[B, H, W, C]`` float32 in [0, 1]."""
    return torch.from_numpy(np.stack(images)).to(torch.float32) / 255.0
