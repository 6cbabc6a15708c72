"""What the benchmark scripts share: the machine's name and a cheap test drawing."""

from __future__ import annotations

import numpy as np

from senga.bench.machine import machine_info


def cpu_model() -> str:
    """The CPU's model name, as /proc/cpuinfo (or platform) gives it."""
    return str(machine_info()["cpu"])


def drawn_image(size: int, seed: int = 0) -> np.ndarray:
    """Colored discs with dark outlines of 1-4 px on white, ``(size, size, 3) uint8``.

    Cheap to make at any size (8000 x 8000 included), unlike ``senga synth``.
    """
    import cv2

    rng = np.random.default_rng(seed)
    img = np.full((size, size, 3), 255, np.uint8)
    for _ in range(max(8, size // 40)):
        c = (int(rng.integers(0, size)), int(rng.integers(0, size)))
        r = int(rng.integers(size // 40 + 4, size // 6 + 8))
        color = tuple(int(v) for v in rng.integers(40, 250, 3))
        cv2.circle(img, c, r, color, -1, cv2.LINE_AA)
        cv2.circle(img, c, r, (20, 20, 20), int(rng.integers(1, 5)), cv2.LINE_AA)
    return img
