"""Small test pictures, made on the spot: a line drawing as an array, a file or encoded bytes,
and random drawings of outlined discs.

Torch-free (NumPy and Pillow; OpenCV imported where a drawing needs it), so the
torch-free install's tests can use it too.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image


def line_drawing(h: int = 12, w: int = 20, line: int = 0) -> np.ndarray:
    """``(h, w, 3) uint8``: white paper, a dark horizontal line (value ``line``) across the middle
    and a red patch under it on the left."""
    rgb = np.full((h, w, 3), 255, np.uint8)
    rgb[h // 2, :] = line
    rgb[h // 2 + 2 :, : w // 2] = (200, 60, 60)
    return rgb


def write_png(path: Path, h: int = 12, w: int = 20) -> Path:
    """Save :func:`line_drawing` ``(h, w)`` at ``path`` (any Pillow format by suffix; folders are made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(line_drawing(h, w)).save(path)
    return path


def png_bytes(h: int = 24, w: int = 36, mode: str = "RGB", fmt: str = "PNG") -> bytes:
    """:func:`line_drawing` (line value 20) converted to ``mode`` and encoded as ``fmt``."""
    buf = io.BytesIO()
    Image.fromarray(line_drawing(h, w, line=20)).convert(mode).save(buf, format=fmt)
    return buf.getvalue()


def drawn_image(size: int, seed: int = 0) -> np.ndarray:
    """``(size, size, 3) uint8``: random colored discs with dark outlines on white, one layout per seed."""
    import cv2

    rng = np.random.default_rng(seed)
    img = np.full((size, size, 3), 255, np.uint8)
    for _ in range(max(4, size // 24)):
        c = (int(rng.integers(0, size)), int(rng.integers(0, size)))
        r = int(rng.integers(size // 16 + 2, size // 4 + 3))
        cv2.circle(img, c, r, tuple(int(v) for v in rng.integers(40, 250, 3)), -1)
        cv2.circle(img, c, r, (20, 20, 20), int(rng.integers(1, 4)))
    return img
