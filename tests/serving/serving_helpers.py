"""Helpers for the serving tests: image bytes and an extractor that blocks until released."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable

import numpy as np
from PIL import Image


def png_bytes(h: int = 24, w: int = 36, mode: str = "RGB", fmt: str = "PNG") -> bytes:
    """A small drawing (a dark line and a red patch on white) encoded as ``fmt``."""
    rgb = np.full((h, w, 3), 255, np.uint8)
    rgb[h // 2, :] = 20
    rgb[h // 2 + 2 :, : w // 2] = (200, 60, 60)
    img = Image.fromarray(rgb).convert(mode)
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


class BlockingExtractor:
    """An extractor whose ``predict_gray`` reports ``(0, tiles)`` then waits until released
    (``gate.release()`` for one call, ``release.set()`` for all): makes the queue's states observable."""

    def __init__(self, tiles: int = 3) -> None:
        self.release = threading.Event()  # set: every call goes on
        self.gate = threading.Semaphore(0)  # release(): one call goes on
        self.started = threading.Semaphore(0)
        self.tiles = tiles
        self.device = "cpu"
        self.calls = 0

    def predict_gray(self, rgb: np.ndarray, progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        self.calls += 1
        self.started.release()
        if progress is not None:
            progress(0, self.tiles)
        deadline = time.monotonic() + 120
        while not (self.release.is_set() or self.gate.acquire(timeout=0.02)):
            assert time.monotonic() < deadline, "test never released the extractor"
        for i in range(1, self.tiles + 1):
            if progress is not None:
                progress(i, self.tiles)
        gray = np.full(rgb.shape[:2], 255, np.uint8)
        gray[:, 0] = 0
        return gray
