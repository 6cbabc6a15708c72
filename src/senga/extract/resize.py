"""The processing-size option (``max_side``): run on a smaller copy, scale the line art back.

Like the peers' "detect resolution": the image is scaled by area averaging so
that its longer side is at most ``max_side``, the extractor runs on that, and
its output is scaled back to the input's size (bilinear). ``None`` = full
resolution. Trade-off measured in docs/fast_model.md. Pillow only (no torch).

Example:
    >>> processing_size(3000, 1500, 1024)
    (1024, 512)
    >>> processing_size(600, 800, None)
    (600, 800)
"""

from __future__ import annotations

import numpy as np
from PIL import Image

#: Smallest ``max_side`` accepted (the network pads anything smaller to 32 anyway).
MIN_MAX_SIDE: int = 16


def check_max_side(max_side: int | None) -> int | None:
    """``max_side`` if it is ``None`` (full resolution) or an integer >= 16, else a ``ValueError``."""
    if max_side is None:
        return None
    if isinstance(max_side, bool) or not isinstance(max_side, (int, np.integer)) or max_side < MIN_MAX_SIDE:
        raise ValueError(
            f"max_side: must be an integer >= {MIN_MAX_SIDE} or None (full size), got {max_side!r}"
        )
    return int(max_side)


def processing_size(height: int, width: int, max_side: int | None) -> tuple[int, int]:
    """``(h, w)`` the model runs at: ``(height, width)`` scaled so its longer side is <= ``max_side``.

    Unchanged when ``max_side`` is ``None`` or the image already fits; the aspect
    ratio is kept (each side rounded, at least 1).
    """
    longer = max(height, width)
    if max_side is None or longer <= max_side:
        return height, width
    scale = max_side / longer
    return max(1, round(height * scale)), max(1, round(width * scale))


def downscale_rgb(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``(H, W, 3) uint8`` -> ``(h, w, 3) uint8`` by area averaging (Pillow's box filter)."""
    h, w = size
    return np.asarray(Image.fromarray(rgb).resize((w, h), Image.Resampling.BOX))


def upscale_map(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``(h, w)`` uint8 (gray) or float32 (ink in [0, 1]) map -> ``(H, W)``, same dtype, bilinear."""
    h, w = size
    if values.dtype == np.uint8:
        return np.asarray(Image.fromarray(values, mode="L").resize((w, h), Image.Resampling.BILINEAR))
    big = Image.fromarray(values.astype(np.float32), mode="F").resize((w, h), Image.Resampling.BILINEAR)
    return np.clip(np.asarray(big), 0.0, 1.0)
