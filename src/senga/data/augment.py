"""The paper's per-sample augmentation: random scale, rotation by k*90 degrees, flip, crop.

docs/paper.md, "Training setup": each epoch every pair gets random scaling,
rotation by a multiple of 90 degrees and a horizontal flip, then a 256x256
crop. Choices where the paper is silent (see docs/data.md):

* scale ``s`` is drawn uniformly in log-space from ``scale=(0.75, 1.25)``
  (so shrinking by 0.8 is as likely as enlarging by 1.25);
* shrinking uses area interpolation (``cv2.INTER_AREA``), enlarging bilinear
  (``cv2.INTER_LINEAR``), for the color image *and* the ink map, so a line's
  grayscale darkness is averaged, never thresholded;
* images smaller than the crop (after scaling) are placed at a random offset
  on white paper (rgb 255, ink 0);
* ``k`` in {0,1,2,3} quarter turns (``np.rot90``) and a horizontal flip with
  probability 1/2 give all 8 orientations.

Color and line always get the identical geometric transform: the random
draws are made once into an :class:`AugmentParams`, which is then applied to
both (and, in :mod:`senga.data.preload`, to device tensors with torch ops).

Speed: only the source window that the crop needs (about ``crop/s`` pixels
square, plus a 2-pixel margin) is resized, so the cost is O(crop^2) whatever
the image size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

#: Source pixels added around the window the crop needs, so that the
#: interpolation at the crop border sees real neighbours, not a clamped edge.
_WINDOW_MARGIN = 2


@dataclass(frozen=True)
class AugmentConfig:
    """Augmentation hyper-parameters (defaults: the paper's 256 crop; our scale range).

    Attributes:
        crop: side of the square output crop in pixels.
        scale: ``(low, high)`` range of the random scale factor, drawn
            log-uniformly; ``(1.0, 1.0)`` disables scaling.
        rotate: random rotation by a multiple of 90 degrees.
        flip: random horizontal flip (probability 1/2).
    """

    crop: int = 256
    scale: tuple[float, float] = (0.75, 1.25)
    rotate: bool = True
    flip: bool = True

    def __post_init__(self) -> None:
        if int(self.crop) != self.crop or self.crop < 1:
            raise ValueError(f"augment crop: must be a positive integer, got {self.crop!r}")
        lo, hi = self.scale
        if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo <= hi):
            raise ValueError(f"augment scale: need 0 < low <= high, got {self.scale!r}")


@dataclass(frozen=True)
class AugmentParams:
    """One sample's geometric transform, shared by color and line.

    Per axis (rows ``y``, columns ``x``): the source window
    ``[top, top+height) x [left, left+width)`` is resized to ``out_h x out_w``
    (scale ``out/window``); the crop takes ``min(crop, out)`` pixels starting at
    ``crop_top, crop_left`` and pastes them at ``pad_top, pad_left`` of a white
    ``crop x crop`` canvas (offsets are 0 unless the image is smaller than the
    crop); then ``k`` quarter turns counter-clockwise (``np.rot90``) and, if
    ``flip``, a left-right mirror.
    """

    top: int
    left: int
    height: int
    width: int
    out_h: int
    out_w: int
    crop_top: int
    crop_left: int
    pad_top: int
    pad_left: int
    k: int
    flip: bool

    @property
    def shrinks(self) -> bool:
        """True when the window is made smaller (area interpolation), else bilinear."""
        return self.out_h * self.out_w < self.height * self.width


def _axis(n: int, s: float, crop: int, u_window: float, u_offset: float) -> tuple[int, int, int, int, int]:
    """Plan one axis of length ``n`` at scale ``s`` -> (top, window, out, crop_off, pad_off)."""
    scaled = max(1, round(n * s))
    if scaled <= crop:  # whole axis fits: keep all of it, pad the rest with paper
        return 0, n, scaled, 0, int(u_offset * (crop - scaled + 1))
    window = min(n, math.ceil(crop / s) + _WINDOW_MARGIN)
    out = scaled if window == n else max(crop, round(window * s))
    top = int(u_window * (n - window + 1))
    crop_off = int(u_offset * (out - crop + 1))
    return top, window, out, crop_off, 0


def sample_params(
    rng: np.random.Generator,
    height: int,
    width: int,
    crop: int = 256,
    scale: tuple[float, float] = (0.75, 1.25),
    rotate: bool = True,
    flip: bool = True,
) -> AugmentParams:
    """Draw one sample's transform for an image of ``height x width`` pixels.

    Always consumes exactly 7 uniforms from ``rng`` (one call), whatever the
    options, so streams stay aligned when options change.
    """
    u = rng.random(7)
    lo, hi = scale
    s = lo if lo == hi else math.exp(math.log(lo) + u[0] * (math.log(hi) - math.log(lo)))
    top, win_h, out_h, crop_top, pad_top = _axis(height, s, crop, u[1], u[2])
    left, win_w, out_w, crop_left, pad_left = _axis(width, s, crop, u[3], u[4])
    return AugmentParams(
        top=top,
        left=left,
        height=win_h,
        width=win_w,
        out_h=out_h,
        out_w=out_w,
        crop_top=crop_top,
        crop_left=crop_left,
        pad_top=pad_top,
        pad_left=pad_left,
        k=min(int(u[5] * 4), 3) if rotate else 0,
        flip=bool(u[6] < 0.5) if flip else False,
    )


def apply_params(image: np.ndarray, params: AugmentParams, crop: int, paper: float) -> np.ndarray:
    """Apply a transform to one ``(H, W)`` or ``(H, W, C)`` array; ``paper`` fills the padding.

    Returns a contiguous ``(crop, crop[, C])`` array of the input dtype.
    """
    p = params
    win = image[p.top : p.top + p.height, p.left : p.left + p.width]
    if (p.out_h, p.out_w) != (p.height, p.width):
        interp = cv2.INTER_AREA if p.shrinks else cv2.INTER_LINEAR
        win = cv2.resize(np.ascontiguousarray(win), (p.out_w, p.out_h), interpolation=interp)
    kh, kw = min(crop, p.out_h), min(crop, p.out_w)
    win = win[p.crop_top : p.crop_top + kh, p.crop_left : p.crop_left + kw]
    if (kh, kw) != (crop, crop):
        canvas = np.full((crop, crop, *image.shape[2:]), paper, dtype=image.dtype)
        canvas[p.pad_top : p.pad_top + kh, p.pad_left : p.pad_left + kw] = win
        win = canvas
    if p.k:
        win = np.rot90(win, p.k)
    if p.flip:
        win = win[:, ::-1]
    return np.ascontiguousarray(win)


def augment_pair(
    rgb: np.ndarray,
    ink: np.ndarray,
    rng: np.random.Generator,
    crop: int = 256,
    scale: tuple[float, float] = (0.75, 1.25),
    rotate: bool = True,
    flip: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Augment one pair with the identical random geometric transform (docs/paper.md, "Training setup").

    Args:
        rgb: ``(H, W, 3) uint8`` color image.
        ink: ``(H, W) float32`` ink map (1 = line, 0 = paper), same ``H, W``.
        rng: the randomness source; the result is a pure function of its state.
        crop: output side; smaller images are padded with white paper.
        scale: log-uniform scale range ``(low, high)``.
        rotate: random multiple of 90 degrees.
        flip: random horizontal flip.

    Returns:
        ``rgb (crop, crop, 3) uint8`` and ``ink (crop, crop) float32``.

    Raises:
        ValueError: shapes are not ``(H, W, 3)`` and ``(H, W)`` of one size.

    Example::

        rgb_c, ink_c = augment_pair(rgb, ink, np.random.default_rng(0))
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3 or ink.ndim != 2 or rgb.shape[:2] != ink.shape:
        raise ValueError(
            f"augment_pair: expected rgb (H, W, 3) and ink (H, W) of one size, "
            f"got {tuple(rgb.shape)} and {tuple(ink.shape)}"
        )
    params = sample_params(rng, ink.shape[0], ink.shape[1], crop, scale, rotate, flip)
    return apply_params(rgb, params, crop, 255), apply_params(ink, params, crop, 0.0)


def augment_with(
    config: AugmentConfig, rgb: np.ndarray, ink: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`augment_pair` with the options of an :class:`AugmentConfig`."""
    return augment_pair(rgb, ink, rng, config.crop, config.scale, config.rotate, config.flip)
