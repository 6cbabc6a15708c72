"""Tiled inference: tiled == untiled, exact sizes, weights that sum to 1, clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from extract_helpers import calibrated_generator
from images import drawn_image
from torch import nn

from senga.extract.tiling import (
    DEFAULT_OVERLAP,
    iter_ink_bands,
    plan_axis,
    predict_gray,
    predict_ink,
)
from senga.io import ink_to_gray


def full_pass(model: nn.Module, rgb: np.ndarray) -> np.ndarray:
    x = torch.from_numpy(rgb).permute(2, 0, 1)[None].float() / 255
    with torch.inference_mode():
        return model(x)[0, 0].numpy()


@pytest.mark.slow
def test_tiled_equals_untiled_768_with_256_tiles(generator: nn.Module) -> None:
    rgb = drawn_image(768, seed=3)
    full = full_pass(generator, rgb)
    assert full.std() > 0.1  # the map has real contrast: the comparison is not vacuous
    calls: list[tuple[int, int]] = []
    tiled = predict_ink(
        generator, rgb, tile=256, overlap=DEFAULT_OVERLAP, progress=lambda d, t: calls.append((d, t))
    )
    assert calls[-1] == (9, 9)  # 3 x 3 tiles
    assert tiled.shape == (768, 768) and tiled.dtype == np.float32
    assert np.abs(tiled - full).max() <= 2 / 255
    # Without context the seams differ badly: the test would catch a broken overlap.
    seams = predict_ink(generator, rgb, tile=256, overlap=0)
    assert np.abs(seams - full).max() > 20 / 255


def test_tiled_equals_untiled_on_sizes_off_the_16_grid(generator: nn.Module) -> None:
    """Width 530 is padded (centered) to 544 by the model; tiles must sit on the same grid."""
    rgb = drawn_image(530, seed=5)[:200]
    tiled = predict_ink(generator, rgb, tile=96, overlap=128)
    assert tiled.shape == (200, 530)
    assert np.abs(tiled - full_pass(generator, rgb)).max() <= 2 / 255


@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (5, 700), (33, 17)])
def test_tiny_and_thin_images_keep_their_exact_size(generator: nn.Module, shape: tuple[int, int]) -> None:
    rgb = drawn_image(max(shape), seed=1)[: shape[0], : shape[1]].copy()
    ink = predict_ink(generator, rgb, tile=256, overlap=128)
    assert ink.shape == shape
    assert np.abs(ink - full_pass(generator, rgb)).max() <= 2 / 255


def test_plan_axis_by_hand() -> None:
    p = plan_axis(1000, tile=256, overlap=64, multiple=16)
    assert (p.canvas, p.offset) == (1008, 4)  # centered padding, like the model's own
    assert p.cores == (0, 256, 512, 768, 1008)
    assert p.starts == (0, 192, 448, 704)
    assert p.ends == (320, 576, 832, 1008)
    total = np.zeros(p.canvas)
    for i, (a, b) in enumerate(zip(p.starts, p.ends)):
        w = p.weights(i)
        assert w.shape == (b - a,)
        total[a:b] += w
        # weight only within ramp/2 = 16 px of the window's own core
        lo, hi = p.cores[i] - 16, p.cores[i + 1] + 16
        xs = np.arange(a, b)
        assert np.all(w[(xs < lo) | (xs >= hi)] == 0.0)
    assert np.allclose(total, 1.0, atol=1e-6)


def test_plan_axis_short_axis_is_one_window_over_the_image() -> None:
    p = plan_axis(500, tile=256, overlap=128, multiple=16)  # 500 <= 256 + 2 * 128
    assert (p.canvas, p.offset, p.starts, p.ends) == (500, 0, (0,), (500,))
    assert np.all(p.weights(0) == 1.0)


def test_plan_axis_reflection_index_and_tiny_last_core() -> None:
    p = plan_axis(100, tile=32, overlap=16, multiple=16)
    assert p.canvas == 112 and p.offset == 6
    assert p.source_index(0, 8).tolist() == [6, 5, 4, 3, 2, 1, 0, 1]  # reflection without repeat
    assert p.source_index(104, 112).tolist() == [98, 99, 98, 97, 96, 95, 94, 93]
    assert p.cores[-2:] == (96, 112)
    assert p.ends[-1] - p.starts[-1] >= 32  # tiny edge window widened to a size the model takes as is


def test_bands_cover_the_image_once_in_order(generator: nn.Module) -> None:
    rgb = drawn_image(300, seed=2)[:, :90].copy()
    rows = [(y0, band.shape) for y0, band in iter_ink_bands(generator, rgb, tile=64, overlap=32)]
    starts = [y0 for y0, _ in rows]
    assert starts[0] == 0 and starts == sorted(starts)
    assert sum(shape[0] for _, shape in rows) == 300
    assert all(shape[1] == 90 for _, shape in rows)
    assert all(b == a + s[0] for (a, s), b in zip(rows, starts[1:]))


def test_predict_gray_is_the_quantised_ink(generator: nn.Module) -> None:
    rgb = drawn_image(160, seed=4)
    ink = predict_ink(generator, rgb, tile=64, overlap=32)
    gray = predict_gray(generator, rgb, tile=64, overlap=32)
    assert gray.dtype == np.uint8 and np.array_equal(gray, ink_to_gray(ink))


def test_batches_of_tiles_give_the_same_result(generator: nn.Module) -> None:
    rgb = drawn_image(200, seed=6)
    one = predict_ink(generator, rgb, tile=64, overlap=32, batch_size=1)
    many = predict_ink(generator, rgb, tile=64, overlap=32, batch_size=4)
    assert np.abs(one - many).max() < 1e-5


def test_a_model_in_train_mode_is_run_in_eval_mode() -> None:
    model = calibrated_generator(seed=1)
    rgb = drawn_image(64, seed=0)
    expected = full_pass(model, rgb)
    model.train()
    got = predict_ink(model, rgb)
    assert not model.training
    assert np.abs(got - expected).max() < 1e-4  # batch statistics would change it by ~0.1


@pytest.mark.parametrize(
    ("rgb", "kw", "match"),
    [
        (np.zeros((8, 8), np.uint8), {}, r"\(H, W, 3\) uint8"),
        (np.zeros((8, 8, 3), np.float32), {}, r"\(H, W, 3\) uint8"),
        (np.zeros((8, 8, 3), np.uint8), {"tile": 16}, "tile must be >= 32"),
        (
            np.zeros((8, 8, 3), np.uint8),
            {"tile": 64, "overlap": 129},
            r"overlap must be between 0 and 2 \* tile = 128",
        ),
        (np.zeros((8, 8, 3), np.uint8), {"batch_size": 0}, "batch must be >= 1"),
        (np.zeros((8, 8, 3), np.uint8), {"half": True}, "half precision needs a CUDA device"),
    ],
)
def test_bad_arguments_are_refused(generator: nn.Module, rgb: np.ndarray, kw: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        predict_ink(generator, rgb, **kw)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_fp32_and_half_match_cpu(generator: nn.Module) -> None:
    import copy

    rgb = drawn_image(300, seed=8)
    cpu = predict_ink(generator, rgb, tile=128, overlap=64)
    gpu_model = copy.deepcopy(generator)
    fp32 = predict_ink(gpu_model, rgb, tile=128, overlap=64, device="cuda")
    half = predict_ink(gpu_model, rgb, tile=128, overlap=64, device="cuda", half=True, batch_size=4)
    assert np.abs(fp32 - cpu).max() <= 1 / 255
    assert np.abs(half - cpu).max() <= 8 / 255  # float16 activations
