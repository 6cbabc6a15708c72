"""``generate_pair`` and ``SynthStream``: deterministic (color, line art) pairs from a seed.

One seed gives one illustration. The seed is split with
:class:`numpy.random.SeedSequence` into independent generators for the scene,
screentone, pencil grain and file degradation, so switching screentone or the
degradations on or off changes nothing else in the image. No global random
state and no clock are used.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import cv2
import numpy as np

from senga.data.synth.canvas import Canvas
from senga.data.synth.compose import compose, to_uint8
from senga.data.synth.config import SynthConfig
from senga.data.synth.degrade import degrade
from senga.data.synth.painter import Painter
from senga.data.synth.scene import draw_scene
from senga.data.synth.style import apply_thin, sample_anime, sample_style

#: Version of the generator's output. Bump when the same seed + config would give different pixels.
SYNTH_VERSION = "1.0"

Size = int | tuple[int, int]


def parse_size(size: Size) -> tuple[int, int]:
    """``512`` -> ``(512, 512)``; ``(height, width)`` is returned as is. Sides must be >= 32."""
    if isinstance(size, (int, np.integer)):
        h = w = int(size)
    else:
        try:
            h, w = (int(v) for v in size)
        except (TypeError, ValueError):
            raise ValueError(f"size: expected an int or (height, width), got {size!r}") from None
    if h < 32 or w < 32:
        raise ValueError(f"size: sides must be at least 32 px, got {h}x{w} (height x width)")
    return h, w


def _check_seed(seed: int) -> int:
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed: must be a non-negative integer, got {seed!r}")
    return int(seed)


def _grain(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Paper-grain texture ``(h, w)`` in [0, 1]: fine noise, slightly smoothed."""
    small = rng.random((h // 2 + 1, w // 2 + 1), dtype=np.float32)
    tex = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.clip((tex - 0.35) * 1.6, 0.0, 1.0)


def generate_pair_debug(seed: int, size: Size = 512, config: SynthConfig | None = None) -> dict[str, Any]:
    """Everything one seed produces, for tests and inspection.

    Returns:
        dict with
        ``rgb`` (H, W, 3) uint8 final color image (degraded),
        ``rgb_clean`` (H, W, 3) uint8 before degradation,
        ``ink`` (H, W) float32 ground truth in [0, 1] (1 = line),
        ``fill`` (H, W, 3) float32 paint layer under the lines (incl. screentone),
        ``colored_mask`` (H, W) bool where colored-trace lines were drawn,
        ``screentone_mask`` (H, W) bool where screentone was applied,
        ``figure_mask`` (H, W) bool where anything was painted (False = bare paper),
        ``style`` dict of the per-image style decisions.
    """
    cfg = config or SynthConfig()
    h, w = parse_size(size)
    # the fifth child (anime features) leaves the first four exactly as they were
    scene_ss, tone_ss, grain_ss, degrade_ss, anime_ss = np.random.SeedSequence(_check_seed(seed)).spawn(5)
    rng = np.random.default_rng(scene_ss)
    style = sample_style(rng, cfg, min(h, w))
    anime_rng = np.random.default_rng(anime_ss)
    style.anime = sample_anime(anime_rng, cfg, min(h, w))
    apply_thin(style)
    canvas = Canvas(h, w)
    if style.grain:
        canvas.grain = _grain(np.random.default_rng(grain_ss), h, w)
    painter = Painter(canvas, style, rng, np.random.default_rng(tone_ss), anime_rng)
    draw_scene(painter, rng)
    ink = np.clip(canvas.ink, 0.0, 1.0)
    ink[ink < 1.0 / 512.0] = 0.0  # below half an 8-bit step: paper
    canvas.ink = ink
    clean = to_uint8(compose(canvas))
    rgb = degrade(clean, np.random.default_rng(degrade_ss), cfg)
    style_dict = asdict(style)
    style_dict["shadow_tint"] = [float(v) for v in style.shadow_tint]
    return {
        "rgb": rgb,
        "rgb_clean": clean,
        "ink": ink.astype(np.float32),
        "fill": canvas.fill,
        "colored_mask": canvas.colored > 0.0,
        "screentone_mask": canvas.tone > 0.0,
        "figure_mask": canvas.figure > 0.0,
        "style": style_dict,
    }


def generate_pair(
    seed: int, size: Size = 512, config: SynthConfig | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """One synthetic illustration and its exact line art.

    Args:
        seed: non-negative integer; the same seed and config give the same pair.
        size: side in pixels, or ``(height, width)``.
        config: generator knobs (default :class:`SynthConfig`).

    Returns:
        ``rgb`` ``(H, W, 3) uint8`` and ``ink`` ``(H, W) float32`` in [0, 1] (1 = black line).
    """
    d = generate_pair_debug(seed, size, config)
    return d["rgb"], d["ink"]


def pair_seed(seed: int, index: int) -> int:
    """The seed of pair ``index`` of the stream with seed ``seed`` (a 63-bit integer)."""
    ss = np.random.SeedSequence([_check_seed(seed), _check_seed(index)])
    return int(ss.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


class SynthStream:
    """An endless, deterministic stream of synthetic pairs.

    Pair ``i`` is ``generate_pair(pair_seed(seed, i), size, config)``: a pure
    function of ``(seed, i)``, so DataLoader workers can each compute their own
    indices with :meth:`pair` and get the same data as one process would.

    Example::

        stream = SynthStream(seed=0, size=256)
        rgb, ink = stream.pair(7)
        for rgb, ink in itertools.islice(stream, 4):
            ...
    """

    def __init__(self, seed: int, size: Size = 512, config: SynthConfig | None = None) -> None:
        self.seed = _check_seed(seed)
        self.size = parse_size(size)
        self.config = config or SynthConfig()

    def pair(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Pair ``index`` (``rgb (H, W, 3) uint8``, ``ink (H, W) float32``)."""
        return generate_pair(pair_seed(self.seed, index), self.size, self.config)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        i = 0
        while True:
            yield self.pair(i)
            i += 1
