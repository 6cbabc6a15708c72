"""Helpers for the integration tests: small drawings and ComfyUI IMAGE tensors."""

from __future__ import annotations

import numpy as np
import torch


def drawing(size: int, seed: int) -> np.ndarray:
    """``(size, size, 3) uint8``: colored discs and boxes with dark outlines on white, one layout per seed."""
    import cv2

    rng = np.random.default_rng(seed)
    img = np.full((size, size, 3), 255, np.uint8)
    for k in range(4):
        color = tuple(int(v) for v in rng.integers(60, 250, 3))
        center = (int(rng.integers(8, size - 8)), int(rng.integers(8, size - 8)))
        r = int(rng.integers(6, size // 3))
        if k % 2 == 0:
            cv2.circle(img, center, r, color, -1)
            cv2.circle(img, center, r, (20, 20, 20), 2)
        else:
            p2 = (min(size - 1, center[0] + r), min(size - 1, center[1] + r))
            cv2.rectangle(img, center, p2, color, -1)
            cv2.rectangle(img, center, p2, (30, 30, 30), 1)
    return img


def to_comfy(images: list[np.ndarray]) -> torch.Tensor:
    """``(H, W, C) uint8`` images of one size -> ComfyUI ``IMAGE`` ``[B, H, W, C]`` float32 in [0, 1]."""
    return torch.from_numpy(np.stack(images)).to(torch.float32) / 255.0
