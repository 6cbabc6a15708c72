"""The paper's augmentation: color and line stay aligned, paper stays white, draws are reproducible.

The alignment tests pair an image with itself: the color image is made from
the ink map (gray = 255 * (1 - ink)), so after any correct joint transform
``1 - rgb/255`` must still equal ``ink`` pixel for pixel (up to 8-bit rounding).
Random noise is used as the pattern, so even a one-pixel shift would fail.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from senga.data.augment import AugmentConfig, apply_params, augment_pair, sample_params
from senga.data.preload import PreloadedPairs, apply_params_torch


def _self_pair(h: int, w: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Noise ink (quantised to 1/255) and the gray color image it implies."""
    gray = np.random.default_rng(seed).integers(0, 256, (h, w)).astype(np.uint8)
    ink = 1.0 - gray.astype(np.float32) / 255.0
    return np.repeat(gray[..., None], 3, axis=2), ink


def _ink_from_rgb(rgb: np.ndarray) -> np.ndarray:
    return 1.0 - rgb.astype(np.float32) / 255.0


@pytest.mark.parametrize("shape", [(300, 280), (120, 400), (90, 70)])
def test_pairs_stay_aligned_for_many_seeds(shape: tuple[int, int]) -> None:
    rgb, ink = _self_pair(*shape)
    for seed in range(40):
        out_rgb, out_ink = augment_pair(rgb, ink, np.random.default_rng(seed), crop=128)
        assert out_rgb.shape == (128, 128, 3) and out_rgb.dtype == np.uint8
        assert out_ink.shape == (128, 128) and out_ink.dtype == np.float32
        assert (out_rgb[..., 0] == out_rgb[..., 1]).all() and (out_rgb[..., 0] == out_rgb[..., 2]).all()
        # Both went through the same resize; only the uint8 rounding of rgb differs (<= 1 level).
        assert np.abs(_ink_from_rgb(out_rgb[..., 0]) - out_ink).max() <= 1.01 / 255


def test_shifting_the_ink_by_one_pixel_would_be_caught() -> None:
    rgb, ink = _self_pair(200, 200)
    out_rgb, out_ink = augment_pair(rgb, ink, np.random.default_rng(3), crop=128)
    assert np.abs(_ink_from_rgb(out_rgb[1:, :, 0]) - out_ink[:-1]).mean() > 0.05


def test_smaller_images_are_padded_with_white_paper() -> None:
    rgb = np.zeros((50, 40, 3), np.uint8)  # black everywhere
    ink = np.ones((50, 40), np.float32)  # full ink everywhere
    for seed in range(10):
        out_rgb, out_ink = augment_pair(rgb, ink, np.random.default_rng(seed), crop=64, scale=(1.0, 1.0))
        assert int((out_ink == 1.0).sum()) == 50 * 40 and int((out_ink == 0.0).sum()) == 64 * 64 - 50 * 40
        assert ((out_rgb == 0).all(axis=2) == (out_ink == 1.0)).all()
        assert (out_rgb[out_ink == 0.0] == 255).all()
        rows, cols = np.nonzero(out_ink)
        box = (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1)
        assert box in ((50, 40), (40, 50))  # one rectangle, maybe turned


def test_same_seed_same_result_different_seed_different_result() -> None:
    rgb, ink = _self_pair(300, 300)
    a = augment_pair(rgb, ink, np.random.default_rng(7), crop=64)
    b = augment_pair(rgb, ink, np.random.default_rng(7), crop=64)
    c = augment_pair(rgb, ink, np.random.default_rng(8), crop=64)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


def test_rotation_and_flip_give_exactly_the_8_orientations() -> None:
    pattern = np.arange(16 * 16, dtype=np.float32).reshape(16, 16) / 256.0  # no symmetry
    rgb = np.zeros((16, 16, 3), np.uint8)
    expected = {np.rot90(m, k).tobytes() for m in (pattern, pattern[:, ::-1]) for k in range(4)}
    assert len(expected) == 8
    seen = {}
    for seed in range(200):
        _, out = augment_pair(rgb, pattern, np.random.default_rng(seed), crop=16, scale=(1.0, 1.0))
        seen[out.tobytes()] = seen.get(out.tobytes(), 0) + 1
    assert set(seen) == expected
    assert min(seen.values()) > 10  # each about 200/8 = 25 times


def test_no_rotate_no_flip_no_scale_is_a_plain_crop() -> None:
    rgb, ink = _self_pair(100, 100)
    rng = np.random.default_rng(0)
    params = sample_params(np.random.default_rng(0), 100, 100, 32, (1.0, 1.0), rotate=False, flip=False)
    _, out = augment_pair(rgb, ink, rng, crop=32, scale=(1.0, 1.0), rotate=False, flip=False)
    y, x = params.top + params.crop_top, params.left + params.crop_left
    assert np.array_equal(out, ink[y : y + 32, x : x + 32])


def test_scale_is_log_uniform_in_the_documented_range() -> None:
    rng = np.random.default_rng(0)
    logs = []
    for _ in range(2000):
        p = sample_params(rng, 1000, 1000, 256)
        s = p.out_h / p.height
        assert 0.75 - 0.01 <= s <= 1.25 + 0.01
        logs.append(math.log(s))
    # log-uniform on [log .75, log 1.25]: mean (log .75 + log 1.25)/2 = -0.0327
    assert abs(np.mean(logs) - (math.log(0.75) + math.log(1.25)) / 2) < 0.01


@pytest.mark.parametrize("scale", [0.8, 1.25])
def test_resizing_keeps_line_darkness_mass(scale: float) -> None:
    """A 1-px line of ink 0.5 scaled by s carries 0.5*s ink per row (area/bilinear, no threshold).

    Area shrinking conserves it exactly; bilinear enlarging only up to the
    sampling phase of the tent filter (within a few percent).
    """
    ink = np.zeros((200, 200), np.float32)
    ink[:, 100] = 0.5
    rgb = np.full((200, 200, 3), 255, np.uint8)
    _, out = augment_pair(
        rgb, ink, np.random.default_rng(1), crop=128, scale=(scale, scale), rotate=False, flip=False
    )
    row_sums = out.sum(axis=1)
    assert np.allclose(row_sums, 0.5 * scale, rtol=0.01 if scale < 1 else 0.06)
    assert out.max() <= 0.5 + 1e-6  # never darker than the source line


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match=r"got \(10, 10, 3\) and \(10, 9\)"):
        augment_pair(np.zeros((10, 10, 3), np.uint8), np.zeros((10, 9), np.float32), np.random.default_rng(0))
    with pytest.raises(ValueError, match="scale"):
        AugmentConfig(scale=(1.5, 1.0))


# ----------------------------------------------------------------------------- device (torch) path


def test_torch_twin_matches_numpy_exactly_without_scaling_and_closely_with() -> None:
    _rgb, ink = _self_pair(150, 170)
    for seed in range(20):
        for scale in ((1.0, 1.0), (0.75, 1.25)):
            p = sample_params(np.random.default_rng(seed), 150, 170, 64, scale)
            ref = apply_params(ink, p, 64, 0.0)
            got = apply_params_torch(torch.from_numpy(ink)[None], p, 64, (0.0,))[0].numpy()
            if scale == (1.0, 1.0):
                assert np.array_equal(ref, got)
            else:  # cv2 area vs antialiased bilinear when shrinking; identical bilinear when enlarging
                assert np.abs(ref - got).mean() < 0.06


def test_preloaded_batches_stay_aligned_and_pad_white() -> None:
    pairs = [_self_pair(90, 200, seed=1), _self_pair(40, 30, seed=2)]
    data = PreloadedPairs(pairs, device="cpu", augment=AugmentConfig(crop=64), seed=3, rank=0)
    for step in range(6):
        rgb, ink = data.batch(step, batch_size=4)
        assert rgb.shape == (4, 3, 64, 64) and ink.shape == (4, 1, 64, 64)
        assert rgb.dtype == torch.float32 and ink.dtype == torch.float32
        assert torch.allclose(1.0 - rgb, ink.expand(-1, 3, -1, -1), atol=1e-5)
    # The 40x30 pair at scale <= 1.25 is at most 50x38: padding (white, no ink) must appear.
    index = next(j for j in range(20) if data.pair_index(j) == 1)
    rgb, ink = data.sample(index)
    paper = ink[0] == 0
    assert int(paper.sum()) >= 64 * 64 - 50 * 38
    assert bool((rgb[:, paper] == 1.0).all())


def test_preloaded_stream_is_reproducible_and_visits_pairs_in_epochs() -> None:
    pairs = [_self_pair(80, 80, seed=i) for i in range(5)]
    a = PreloadedPairs(pairs, augment=AugmentConfig(crop=32), seed=0, rank=0)
    b = PreloadedPairs(pairs, augment=AugmentConfig(crop=32), seed=0, rank=0)
    assert all(torch.equal(x, y) for x, y in zip(a.batch(7, 3), b.batch(7, 3)))
    assert [list(t.shape) for t in next(a.batches(3, start_step=7))] == [[3, 3, 32, 32], [3, 1, 32, 32]]
    assert torch.equal(next(a.batches(3, start_step=7))[1], b.batch(7, 3)[1])  # resume = start at the step
    for epoch in range(3):
        assert sorted(a.pair_index(epoch * 5 + i) for i in range(5)) == [0, 1, 2, 3, 4]
    other_rank = PreloadedPairs(pairs, augment=AugmentConfig(crop=32), seed=0, rank=1)
    assert not torch.equal(other_rank.batch(0, 3)[1], a.batch(0, 3)[1])
