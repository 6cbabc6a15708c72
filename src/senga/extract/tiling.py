"""Tiled inference: run a generator on an image of any size with bounded memory.

The image is cut into cores of ``tile x tile`` pixels; each core is run
through the model inside a window that adds ``overlap`` pixels of context on
every interior side (neighbouring windows share ``2 * overlap`` pixels), and
the window outputs are blended with weights that form a partition of unity.
Design (details and measurements in ``docs/extraction.md``):

* **Alignment.** senga's networks downsample by ``m = 16`` (pix2pix: 256) and
  are only shift-equivariant for shifts by multiples of ``m``. Windows
  therefore start at multiples of ``m`` on a canvas that is the image
  reflect-padded (centered) to a multiple of ``m``, exactly the padding the
  model applies to a whole image. ``tile`` and ``overlap`` are rounded up to
  multiples of ``m``.
* **Borders.** An axis no longer than ``tile + 2 * overlap`` is one window
  over the image, padded by the model itself; along longer axes the canvas'
  reflection padding is the border context. Either way a pixel near the image
  border sees what it sees in an untiled pass.
* **Blending.** Across each interior core boundary the weight passes linearly
  from one window to the next over ``overlap / 2`` pixels centered on the
  boundary, so every pixel comes from windows that give it at least
  ``0.75 * overlap`` of context; 2-D weights are the product of the two axes'
  and sum to exactly 1 everywhere.
* **Memory.** Windows are processed strip by strip (one row of windows at a
  time) and the finished rows are handed out as bands; one strip accumulator
  ``(tile + 2 * overlap, W)`` float32 and one window batch live at a time.
  :func:`predict_ink` collects the bands into one ``(H, W)`` float32 map;
  :func:`predict_gray` into ``(H, W)`` uint8, without any full-size float plane.

Tiled output equals an untiled pass within 2/255 when ``overlap`` covers the
model's effective receptive field (see ``DEFAULT_OVERLAP``).

What runs the network is a :class:`senga.extract.backends.Backend` (torch or
onnxruntime); the settings are one frozen :class:`Tiling`, checked once when
it is made. This module imports no torch.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from senga.extract.backends import Backend, make_backend
from senga.io.images import ink_to_gray

#: Default core side (pixels). Big tiles waste less compute on context; a
#: 1024 core makes windows of up to 1280^2, ~0.7 GB of activations for the
#: senga generator (fp32, batch 1), and leaves images up to 1280 px untiled.
DEFAULT_TILE: int = 1024
#: Default context on each interior side of a core (pixels). Measured on a
#: senga generator with a worst-case wide effective receptive field: max
#: |tiled - untiled| is 0.8/255 at 128, 5.8/255 at 96 (docs/extraction.md).
DEFAULT_OVERLAP: int = 128

#: ``progress(done_tiles, total_tiles)``, called after each tile batch.
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class Tiling:
    """Tiling settings, checked once here (``ValueError`` with a one-line message).

    Attributes:
        tile: side of the block of output each window owns (its core), >= 32;
            rounded up to the model's ``size_multiple`` when used.
        overlap: context pixels added on each interior side of a core,
            ``0 <= overlap <= 2 * tile`` (rounded up likewise).
        batch_size: windows per forward pass (``--batch`` on the command line), >= 1.
    """

    tile: int = DEFAULT_TILE
    overlap: int = DEFAULT_OVERLAP
    batch_size: int = 1

    def __post_init__(self) -> None:
        if self.tile < 32:
            raise ValueError(f"tile must be >= 32 pixels, got {self.tile}")
        if (
            not 0 <= self.overlap <= 2 * self.tile
        ):  # blending ramps (overlap / 2 wide) of neighbouring cores stay apart
            raise ValueError(f"overlap must be between 0 and 2 * tile = {2 * self.tile}, got {self.overlap}")
        if self.batch_size < 1:
            raise ValueError(
                f"batch must be >= 1 (batch_size: windows per forward pass), got {self.batch_size}"
            )

    def aligned(self, multiple: int) -> tuple[int, int]:
        """``(tile, overlap)`` rounded up to multiples of ``multiple``."""
        return -(-self.tile // multiple) * multiple, -(-self.overlap // multiple) * multiple


def as_tiling(
    tiling: Tiling | None = None,
    tile: int | None = None,
    overlap: int | None = None,
    batch_size: int | None = None,
) -> Tiling:
    """The :class:`Tiling` of an API that takes either one (``tiling=``) or its fields as keywords.

    Fields left ``None`` take the defaults; giving both a ``tiling`` and a field is a ``ValueError``.

    >>> as_tiling(tile=512) == Tiling(512, DEFAULT_OVERLAP, 1), as_tiling(Tiling(64, 8)).tile
    (True, 64)
    """
    if tiling is not None:
        if (tile, overlap, batch_size) != (None, None, None):
            raise ValueError("give tiling=Tiling(...) or tile / overlap / batch_size, not both")
        return tiling
    return Tiling(
        DEFAULT_TILE if tile is None else tile,
        DEFAULT_OVERLAP if overlap is None else overlap,
        1 if batch_size is None else batch_size,
    )


@dataclass(frozen=True)
class AxisPlan:
    """How one axis (rows or columns) of length ``size`` is tiled.

    ``offset`` is where the image starts on the canvas (centered reflection
    padding). Tile ``i`` owns the core ``[cores[i], cores[i+1])`` of the canvas
    and is computed on the window ``[starts[i], ends[i])``, which adds up to
    ``overlap`` pixels of context on each interior side.
    """

    size: int
    canvas: int
    offset: int
    cores: tuple[int, ...]  # core boundaries, cores[0] = 0 ... cores[-1] = canvas
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    ramp: float  # width of the blending ramp centered on each interior core boundary

    def weights(self, i: int) -> np.ndarray:
        """``(ends[i] - starts[i],)`` float32 blending weights of window ``i``.

        Across each interior core boundary ``B`` the weight passes linearly
        from one window to the next over ``[B - ramp/2, B + ramp/2]``; the
        weights of all windows sum to exactly 1 at every pixel.
        """
        x = np.arange(self.starts[i], self.ends[i], dtype=np.float32) + 0.5  # pixel centers
        w = np.ones_like(x)
        if self.ramp == 0:
            lo, hi = self.cores[i], self.cores[i + 1]
            return ((x >= lo) & (x < hi)).astype(np.float32)
        if i > 0:
            w *= np.clip((x - self.cores[i]) / self.ramp + 0.5, 0.0, 1.0)
        if i < len(self.starts) - 1:
            w *= np.clip((self.cores[i + 1] - x) / self.ramp + 0.5, 0.0, 1.0)
        return w

    def source_index(self, start: int, end: int) -> np.ndarray:
        """Image indices for canvas positions ``[start, end)`` (reflection without edge repeat)."""
        j = np.arange(start, end) - self.offset
        if self.size == 1:
            return np.zeros_like(j)
        period = 2 * (self.size - 1)
        j = np.mod(j, period)
        return np.where(j >= self.size, period - j, j)


def plan_axis(size: int, tile: int, overlap: int, multiple: int) -> AxisPlan:
    """Tile layout along one axis.

    An axis no longer than ``tile + 2 * overlap`` is done in one window
    covering exactly the image (the model pads it itself, as in an untiled
    pass). Otherwise the canvas is ``size`` rounded up to ``multiple``
    (centered reflection padding), cut into cores of ``tile`` pixels (the last
    one may be shorter), each widened by ``overlap`` pixels of context on its
    interior sides. ``tile`` and ``overlap`` must be multiples of ``multiple``.
    """
    if size <= tile + 2 * overlap:
        return AxisPlan(size, size, 0, (0, size), (0,), (size,), 0.0)
    canvas = -(-size // multiple) * multiple
    cores = (*range(0, canvas, tile), canvas)
    min_window = max(2 * multiple, 32)
    starts, ends = [], []
    for a, b in itertools.pairwise(cores):
        start, end = max(0, a - overlap), min(canvas, b + overlap)
        if end - start < min_window:  # keep tiny edge windows at a size the model takes unpadded
            start = max(0, (end - min_window) // multiple * multiple)
        starts.append(start)
        ends.append(end)
    return AxisPlan(size, canvas, (canvas - size) // 2, cores, tuple(starts), tuple(ends), overlap / 2.0)


def check_rgb(rgb: np.ndarray) -> None:
    """Raise ``ValueError`` unless ``rgb`` is a non-empty ``(H, W, 3) uint8`` image."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 RGB image, got {tuple(rgb.shape)} {rgb.dtype}")
    if rgb.shape[0] < 1 or rgb.shape[1] < 1:
        raise ValueError(f"image has zero width or height: {tuple(rgb.shape)}")


def tiled_bands(
    backend: Backend, rgb: np.ndarray, tiling: Tiling, progress: ProgressFn | None = None
) -> Iterator[tuple[int, np.ndarray]]:
    """Tiled inference on ``backend``, yielding finished horizontal bands of the ink map top to bottom.

    Args:
        backend: runs the windows (``backend.size_multiple`` aligns them).
        rgb: ``(H, W, 3) uint8`` RGB image.
        tiling: tile, overlap and windows per forward pass.
        progress: ``progress(done_tiles, total_tiles)`` after each batch.

    Yields:
        ``(y0, band)``: ``band`` is ``(h, W)`` float32 ink for image rows
        ``y0 .. y0 + h``; the bands cover the image exactly once, in order.
    """
    check_rgb(rgb)
    m = backend.size_multiple
    tile, overlap = tiling.aligned(m)
    h, w = rgb.shape[:2]
    ys, xs = plan_axis(h, tile, overlap, m), plan_axis(w, tile, overlap, m)
    total = len(ys.starts) * len(xs.starts)
    done = 0
    x_weights = [xs.weights(j) for j in range(len(xs.starts))]
    x_index = [xs.source_index(a, b) for a, b in zip(xs.starts, xs.ends)]
    # Windows of one strip, grouped by width (only edge ones differ), for batching.
    groups: dict[int, list[int]] = {}
    for j in range(len(xs.starts)):
        groups.setdefault(xs.ends[j] - xs.starts[j], []).append(j)
    carry: np.ndarray | None = None  # weighted sums of rows shared with the next strip
    batch = tiling.batch_size

    for i, (y_a, y_b) in enumerate(zip(ys.starts, ys.ends)):
        rows = ys.source_index(y_a, y_b)
        wy = ys.weights(i)[:, None]
        acc = np.zeros((y_b - y_a, xs.canvas), np.float32)
        if carry is not None:
            acc[: carry.shape[0]] = carry
        for members in groups.values():
            for k in range(0, len(members), batch):
                chunk = members[k : k + batch]
                out = backend.run(np.stack([rgb[np.ix_(rows, x_index[j])] for j in chunk]))
                for t, j in enumerate(chunk):
                    acc[:, xs.starts[j] : xs.ends[j]] += out[t] * (wy * x_weights[j][None, :])
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
        last = i == len(ys.starts) - 1
        keep = (y_b if last else ys.starts[i + 1]) - y_a  # rows no later window touches
        carry = None if last else acc[keep:].copy()
        # Crop from canvas to image coordinates.
        top, bottom = max(y_a, ys.offset), min(y_a + keep, ys.offset + h)
        if bottom > top:
            band = acc[top - y_a : bottom - y_a, xs.offset : xs.offset + w]
            yield top - ys.offset, np.clip(band, 0.0, 1.0)


def ink_from_bands(bands: Iterator[tuple[int, np.ndarray]], shape: tuple[int, ...]) -> np.ndarray:
    """Collect :func:`tiled_bands` into one ``(H, W)`` float32 ink map."""
    out = np.empty(shape[:2], np.float32)
    for y0, band in bands:
        out[y0 : y0 + band.shape[0]] = band
    return out


def gray_from_bands(bands: Iterator[tuple[int, np.ndarray]], shape: tuple[int, ...]) -> np.ndarray:
    """Collect :func:`tiled_bands` into the 8-bit line image ``(H, W) uint8``
    (``round(255 * (1 - ink))``: black lines on white), band by band (no full float map)."""
    out = np.empty(shape[:2], np.uint8)
    for y0, band in bands:
        out[y0 : y0 + band.shape[0]] = ink_to_gray(band)
    return out


# The keyword API below takes a model (an nn.Module, a backend, or an ONNX path) and the settings
# one by one; each call builds one Tiling and one backend (both checked once) and runs the above.


def iter_ink_bands(
    model: Any,
    rgb: np.ndarray,
    tile: int = DEFAULT_TILE,
    overlap: int = DEFAULT_OVERLAP,
    device: Any = "cpu",
    half: bool = False,
    batch_size: int = 1,
    progress: ProgressFn | None = None,
) -> Iterator[tuple[int, np.ndarray]]:
    """:func:`tiled_bands` with the settings as keywords (arguments as :func:`predict_ink`)."""
    tiling = Tiling(tile, overlap, batch_size)
    return tiled_bands(make_backend(model, device=device, half=half), rgb, tiling, progress)


def predict_ink(
    model: Any,
    rgb: np.ndarray,
    tile: int = DEFAULT_TILE,
    overlap: int = DEFAULT_OVERLAP,
    device: Any = "cpu",
    half: bool = False,
    batch_size: int = 1,
    progress: ProgressFn | None = None,
) -> np.ndarray:
    """Ink map of an image of any size by tiled inference (see the module doc).

    Args:
        model: a generator ``nn.Module`` (``(N, 3, h, w)`` float in [0, 1] ->
            ``(N, 1, h, w)`` ink; put in eval mode and moved to ``device``),
            a ``.onnx`` file made by ``senga export``, or a :class:`Backend`.
        rgb: ``(H, W, 3) uint8`` RGB image.
        tile: side of the output block each window owns (rounded up to the
            model's size multiple, 16 for senga).
        overlap: context pixels added on each interior side of a tile, at
            most ``2 * tile`` (rounded up to the model's size multiple).
        device: where the model runs (``"cpu"``, ``"cuda"``, ``"auto"``).
        half: float16 autocast (torch on CUDA only).
        batch_size: tiles per forward pass.
        progress: ``progress(done_tiles, total_tiles)`` after each batch.

    Returns:
        ``(H, W)`` float32 ink in [0, 1] (1 = line).
    """
    bands = iter_ink_bands(model, rgb, tile, overlap, device, half, batch_size, progress)
    return ink_from_bands(bands, rgb.shape)


def predict_gray(
    model: Any,
    rgb: np.ndarray,
    tile: int = DEFAULT_TILE,
    overlap: int = DEFAULT_OVERLAP,
    device: Any = "cpu",
    half: bool = False,
    batch_size: int = 1,
    progress: ProgressFn | None = None,
) -> np.ndarray:
    """Like :func:`predict_ink` but returns the 8-bit line image ``(H, W) uint8``
    (``round(255 * (1 - ink))``: black lines on white), built band by band."""
    bands = iter_ink_bands(model, rgb, tile, overlap, device, half, batch_size, progress)
    return gray_from_bands(bands, rgb.shape)
