"""The preload path: the whole dataset on the training device, augmented there with torch ops.

docs/paper.md, "Training setup": "The whole dataset is loaded onto the GPU first."
For small folder datasets this removes all file and host work from the
training loop. Each pair is stored once as a ``(4, H, W) uint8`` tensor
(RGB + ink * 255; ink read from 8-bit files is exactly ``k/255``, so this is
lossless for folders; in-memory float ink is rounded to 1/255).

Sample ``j`` of rank ``r``'s stream under ``seed``:

* which pair: without per-pair weights, epochs visit every pair once in the
  order ``epoch_rng(seed, r, j // n).permutation(n)`` (the paper's epochs);
  with weights, a weighted draw from ``sample_rng(seed, r, j)``;
* the transform: :func:`~senga.data.augment.sample_params` drawn from
  ``sample_rng(seed, r, j)``, applied with torch ops on the device: window
  crop, ``F.interpolate`` (bilinear, antialiased when shrinking), crop, white
  padding, ``torch.rot90``, ``torch.flip``. RGB and ink are channels of one
  tensor, so they get the identical transform by construction.

Batch ``t`` is samples ``t*B .. t*B+B-1``: a pure function of
``(seed, rank, t)``, so resuming at step ``t`` needs no saved state.

Example::

    data = PreloadedPairs(list(PairedFolder("data/mine")), device="cuda")
    rgb, ink = data.batch(step, batch_size=15)  # (15,3,256,256), (15,1,256,256) on cuda
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from senga.data.augment import AugmentConfig, AugmentParams, sample_params
from senga.data.seeding import current_rank, epoch_rng, sample_rng
from senga.data.sources import Source, check_weights, pick_source

#: Paper color per stored channel: white RGB (1, 1, 1) and no ink (0).
_PAPER = (1.0, 1.0, 1.0, 0.0)


def apply_params_torch(
    image: torch.Tensor, params: AugmentParams, crop: int, paper: Sequence[float]
) -> torch.Tensor:
    """Apply one transform to a ``(C, H, W)`` float tensor -> ``(C, crop, crop)``.

    The torch twin of :func:`senga.data.augment.apply_params` (same geometry;
    shrinking uses antialiased bilinear instead of OpenCV's area filter).
    ``paper`` gives the padding value per channel.
    """
    p = params
    win = image[:, p.top : p.top + p.height, p.left : p.left + p.width]
    if (p.out_h, p.out_w) != (p.height, p.width):
        win = F.interpolate(
            win[None], size=(p.out_h, p.out_w), mode="bilinear", align_corners=False, antialias=p.shrinks
        )[0]
    kh, kw = min(crop, p.out_h), min(crop, p.out_w)
    win = win[:, p.crop_top : p.crop_top + kh, p.crop_left : p.crop_left + kw]
    if (kh, kw) != (crop, crop):
        canvas = torch.tensor(paper, dtype=win.dtype, device=win.device).view(-1, 1, 1).repeat(1, crop, crop)
        canvas[:, p.pad_top : p.pad_top + kh, p.pad_left : p.pad_left + kw] = win
        win = canvas
    if p.k:
        win = torch.rot90(win, p.k, dims=(1, 2))
    if p.flip:
        win = torch.flip(win, dims=(2,))
    return win


def _stack_pair(rgb: np.ndarray, ink: np.ndarray) -> torch.Tensor:
    """``(H,W,3) uint8`` + ``(H,W)`` ink -> ``(4,H,W) uint8`` (RGB, ink*255)."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or ink.ndim != 2 or rgb.shape[:2] != ink.shape:
        raise ValueError(
            f"preload: expected rgb (H, W, 3) and ink (H, W) of one size, got {tuple(rgb.shape)} and {tuple(ink.shape)}"
        )
    ink8 = np.clip(np.rint(np.asarray(ink, dtype=np.float32) * 255.0), 0, 255).astype(np.uint8)
    return torch.from_numpy(
        np.concatenate([rgb.astype(np.uint8, copy=False), ink8[..., None]], axis=2)
    ).permute(2, 0, 1)


class PreloadedPairs:
    """A finite dataset held on ``device``; ``batch(step, B)`` returns augmented crops.

    Args:
        pairs: ``(rgb (H,W,3) uint8, ink (H,W) float32[, name])`` items (sizes may differ between pairs).
        device: where the tensors live and augmentation runs ("cpu", "cuda", ...).
        augment: crop size, scale range, rotation, flip.
        seed: the training seed (integer >= 0).
        rank: DDP rank (default: the current rank, 0 without DDP).
        weights: optional per-pair sampling weights; ``None`` visits pairs in epochs.

    ``batch`` returns ``rgb (B, 3, crop, crop)`` float32 in [0,1] and
    ``ink (B, 1, crop, crop)`` float32, on ``device``.
    """

    def __init__(
        self,
        pairs: Sequence[tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, str]],
        device: str | torch.device = "cpu",
        augment: AugmentConfig | None = None,
        seed: int = 0,
        rank: int | None = None,
        weights: Sequence[float] | None = None,
    ) -> None:
        if not pairs:
            raise ValueError("preload: no pairs to load")
        if int(seed) != seed or seed < 0:
            raise ValueError(f"data seed: must be a non-negative integer, got {seed!r}")
        self.device = torch.device(device)
        self.augment = augment or AugmentConfig()
        self.seed = int(seed)
        self.rank = current_rank() if rank is None else int(rank)
        self.images = [_stack_pair(p[0], p[1]).to(self.device) for p in pairs]
        self._cumulative = None if weights is None else check_weights(weights, len(self.images))
        self._perm_epoch = -1
        self._perm = np.arange(0)

    @classmethod
    def from_sources(
        cls,
        sources: Sequence[Source],
        weights: Sequence[float],
        device: str | torch.device = "cpu",
        augment: AugmentConfig | None = None,
        seed: int = 0,
        rank: int | None = None,
    ) -> PreloadedPairs:
        """Load every pair of finite sources; source ``k`` is drawn with probability ``w_k / sum(w)``.

        Raises:
            ValueError: a source is an endless stream (``synth``): use the DataLoader path.
        """
        check_weights(weights, len(sources))
        pairs: list[tuple[np.ndarray, np.ndarray, str]] = []
        per_pair: list[float] = []
        for source, weight in zip(sources, weights):
            if not source.finite:
                raise ValueError(
                    f"preload: data source {source.name!r} is an endless stream; it cannot be preloaded"
                )
            items = source.pairs()
            pairs += items
            per_pair += [weight / len(items)] * len(items)
        uniform = np.allclose(per_pair, per_pair[0], rtol=1e-9)
        return cls(pairs, device, augment, seed, rank, None if uniform else per_pair)

    def __len__(self) -> int:
        return len(self.images)

    @property
    def nbytes(self) -> int:
        """Device memory held by the stored pairs."""
        return sum(t.numel() * t.element_size() for t in self.images)

    def pair_index(self, sample: int) -> int:
        """Which stored pair stream sample ``sample`` uses."""
        if self._cumulative is not None:
            return pick_source(self._cumulative, sample_rng(self.seed, self.rank, sample))
        n = len(self.images)
        epoch = sample // n
        if epoch != self._perm_epoch:
            self._perm = epoch_rng(self.seed, self.rank, epoch).permutation(n)
            self._perm_epoch = epoch
        return int(self._perm[sample % n])

    def sample(self, sample: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Stream sample ``sample``: ``rgb (3, crop, crop)``, ``ink (1, crop, crop)`` on the device."""
        a = self.augment
        rng = sample_rng(self.seed, self.rank, sample)
        if self._cumulative is not None:
            pick_source(self._cumulative, rng)  # same draw as pair_index, keeps rng aligned
        image = self.images[self.pair_index(sample)]
        params = sample_params(rng, image.shape[1], image.shape[2], a.crop, a.scale, a.rotate, a.flip)
        p = params
        window = image[:, p.top : p.top + p.height, p.left : p.left + p.width].float().div_(255.0)
        shifted = dataclasses.replace(p, top=0, left=0)  # the window is already sliced
        out = apply_params_torch(window, shifted, a.crop, _PAPER).clamp_(0.0, 1.0)
        return out[:3], out[3:4]

    def batch(self, step: int, batch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Batch ``step``: samples ``step*batch_size .. (step+1)*batch_size - 1``, stacked."""
        if batch_size < 1:
            raise ValueError(f"batch size: must be >= 1, got {batch_size}")
        samples = [self.sample(j) for j in range(step * batch_size, (step + 1) * batch_size)]
        return torch.stack([s[0] for s in samples]), torch.stack([s[1] for s in samples])

    def batches(
        self, batch_size: int, start_step: int = 0, steps: int | None = None
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Batches from ``start_step`` on (``steps`` of them, or endlessly)."""
        step = start_step
        while steps is None or step < start_step + steps:
            yield self.batch(step, batch_size)
            step += 1
