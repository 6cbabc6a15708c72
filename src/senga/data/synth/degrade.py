"""File realism for the color image only: slight blur, resampling, noise, JPEG.

The ground truth is never degraded: these model how illustrations reach a
user (resized, re-encoded), not a change of the drawing.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

from senga.data.synth.config import SynthConfig


def degrade(rgb: np.ndarray, rng: np.random.Generator, cfg: SynthConfig) -> np.ndarray:
    """Apply the config's random degradations to ``rgb`` ``(H, W, 3) uint8``; returns a new array.

    Every decision is drawn from ``rng`` in a fixed order (four uniforms and
    four parameters), so the same generator state always gives the same file.
    """
    u = rng.random(4)
    sigma = rng.uniform(0.3, max(cfg.blur_sigma_max, 0.3))
    factor = rng.uniform(min(cfg.resample_min, 0.999), 1.0)
    noise_sigma = rng.uniform(0.5, max(cfg.noise_sigma_max, 0.5))
    quality = int(rng.integers(min(cfg.jpeg_quality_min, 95), 96))
    out = rgb
    if u[0] < cfg.blur_prob:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    if u[1] < cfg.resample_prob:
        h, w = out.shape[:2]
        small = cv2.resize(
            out, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_AREA
        )
        out = cv2.resize(
            small, (w, h), interpolation=cv2.INTER_LINEAR if u[1] < cfg.resample_prob / 2 else cv2.INTER_CUBIC
        )
    if u[2] < cfg.noise_prob:
        noise = rng.normal(0.0, noise_sigma, size=out.shape).astype(np.float32)
        out = np.clip(out.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    if u[3] < cfg.jpeg_prob:
        buf = io.BytesIO()
        Image.fromarray(out).save(buf, format="JPEG", quality=quality)
        buf.seek(0)
        out = np.asarray(Image.open(buf).convert("RGB"))
    return np.ascontiguousarray(out, dtype=np.uint8)
