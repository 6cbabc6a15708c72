"""Exact grayscale P/R/F1 (eqs. 4-6) and RMSE: hand values, the binary case, symmetry, backends, batches."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from senga.io import read_ink, write_ink
from senga.metrics import (
    DEFAULT_EPS,
    f1,
    ink_statistics,
    mean_scores,
    precision,
    recall,
    rmse,
    scores,
    shared_ink,
)

# A 2x2 example written out by hand.
#   G = [[1, .5], [0, 0]]    H = [[.5, .5], [.25, 0]]
#   min/max per pixel: .5/1 = .5, .5/.5 = 1, 0/.25 = 0, 0 (both empty) -> sum 1.5
#   sum [H>0] = 3, sum [G>0] = 2
#   P = 1.5/3 = .5, R = 1.5/2 = .75, F1 = 2*1.5/(3+2) = .6
#   RMSE = sqrt((.5^2 + 0 + .25^2 + 0)/4) = sqrt(.078125)
G = np.array([[1.0, 0.5], [0.0, 0.0]])
H = np.array([[0.5, 0.5], [0.25, 0.0]])


def random_maps(rng: np.random.Generator, shape: tuple[int, ...], ink: float = 0.3) -> np.ndarray:
    """Gray ink maps: ~``ink`` of the pixels carry ink in (0, 1], the rest are exactly 0."""
    values = rng.uniform(0.05, 1.0, size=shape)
    return np.where(rng.random(shape) < ink, values, 0.0)


def test_hand_computed_2x2():
    s = scores(H, G)
    assert s["P"] == pytest.approx(0.5)
    assert s["R"] == pytest.approx(0.75)
    assert s["F1"] == pytest.approx(0.6)
    assert s["RMSE"] == pytest.approx(math.sqrt(0.078125))
    st = ink_statistics(H, G)
    assert (st.shared, st.pred_ink, st.gt_ink) == pytest.approx((1.5, 3.0, 2.0))
    np.testing.assert_allclose(shared_ink(H, G), [[0.5, 1.0], [0.0, 0.0]])
    assert (precision(H, G), recall(H, G), f1(H, G), rmse(H, G)) == pytest.approx(
        (0.5, 0.75, 0.6, math.sqrt(0.078125))
    )


def test_single_image_gives_python_floats():
    assert all(type(v) is float for v in scores(H, G).values())


def test_binary_maps_reduce_to_eqs_1_to_3():
    rng = np.random.default_rng(0)
    for _ in range(5):
        g = rng.random((16, 16)) < 0.3
        h = rng.random((16, 16)) < 0.3
        tp, n_h, n_g = (g & h).sum(), h.sum(), g.sum()
        s = scores(h.astype(float), g.astype(float))
        assert s["P"] == pytest.approx(tp / n_h)  # eq. 1
        assert s["R"] == pytest.approx(tp / n_g)  # eq. 2
        assert s["F1"] == pytest.approx(2 * tp / (n_h + n_g))  # eq. 3
        # eq. 3 is also 2PR/(P+R) for one binary image
        assert s["F1"] == pytest.approx(2 * s["P"] * s["R"] / (s["P"] + s["R"]))
    # bool arrays are accepted as binary maps
    assert scores(h, g)["F1"] == pytest.approx(2 * tp / (n_h + n_g))


def test_swapping_g_and_h_swaps_p_and_r():
    rng = np.random.default_rng(1)
    g, h = random_maps(rng, (12, 10)), random_maps(rng, (12, 10))
    a, b = scores(h, g), scores(g, h)
    assert a["P"] == pytest.approx(b["R"])
    assert a["R"] == pytest.approx(b["P"])
    assert a["F1"] == pytest.approx(b["F1"])
    assert a["RMSE"] == pytest.approx(b["RMSE"])


def test_zero_denominators():
    empty, ink = np.zeros((3, 3)), np.full((3, 3), 0.5)
    assert scores(empty, empty) == {"P": 1.0, "R": 1.0, "F1": 1.0, "RMSE": 0.0}
    only_pred = scores(ink, empty)
    only_gt = scores(empty, ink)
    for s in (only_pred, only_gt):
        assert (s["P"], s["R"], s["F1"]) == (0.0, 0.0, 0.0)
        assert s["RMSE"] == pytest.approx(0.5)


def test_eps_is_the_footnotes_floor_of_the_per_pixel_max():
    assert DEFAULT_EPS == 1e-8
    # both below eps: min/max{., ., eps} = 1e-9 / 1e-8
    assert float(shared_ink(np.array(5e-9), np.array(1e-9))) == pytest.approx(0.1)
    assert float(shared_ink(np.array(5e-9), np.array(1e-9), eps=1e-10)) == pytest.approx(0.2)


def test_numpy_equals_torch_for_every_shape():
    rng = np.random.default_rng(2)
    g, h = random_maps(rng, (3, 9, 7)), random_maps(rng, (3, 9, 7))
    expected = scores(h, g)
    for dtype in (torch.float64, torch.float32):
        for shape in ((3, 9, 7), (3, 1, 9, 7)):
            got = scores(
                torch.tensor(h, dtype=dtype).reshape(shape), torch.tensor(g, dtype=dtype).reshape(shape)
            )
            for k, v in expected.items():
                assert isinstance(got[k], torch.Tensor) and got[k].shape == (3,)
                np.testing.assert_allclose(got[k].numpy(), v, rtol=1e-5, atol=1e-6)
    one = scores(torch.tensor(h[0]), torch.tensor(g[0]))
    assert one["F1"].ndim == 0 and float(one["F1"]) == pytest.approx(expected["F1"][0])


def test_batch_equals_per_image():
    rng = np.random.default_rng(3)
    g, h = random_maps(rng, (4, 8, 8)), random_maps(rng, (4, 8, 8))
    g[2] = 0.0  # one image without ground-truth ink
    batch = scores(h[:, None], g[:, None])
    for i in range(4):
        single = scores(h[i], g[i])
        for k in single:
            assert batch[k].shape == (4,)
            assert batch[k][i] == pytest.approx(single[k])


def test_mean_scores_is_the_mean_of_per_image_scores_not_pooled():
    # image 0: perfect on 1 pixel; image 1: 1 of 3 predicted pixels right.
    g = np.zeros((2, 2, 2))
    h = np.zeros((2, 2, 2))
    g[0, 0, 0] = h[0, 0, 0] = 1.0
    g[1, 0, 0] = 1.0
    h[1, 0] = h[1, 1, 0] = 1.0
    per = scores(h, g)
    np.testing.assert_allclose(per["P"], [1.0, 1 / 3])
    mean = mean_scores([per])
    assert mean["P"] == pytest.approx((1 + 1 / 3) / 2)  # pooled would be 2/4
    assert mean["n"] == 2
    # rows of floats, numpy batches and torch batches mix
    rows = [scores(h[0], g[0]), scores(torch.tensor(h[1:]), torch.tensor(g[1:]))]
    assert mean_scores(rows) == pytest.approx(mean)
    with pytest.raises(ValueError, match="non-zero number of images"):
        mean_scores([])


def test_torch_gradient_of_shared_ink_is_zero_where_both_maps_are_empty():
    h = torch.zeros(3, requires_grad=True)
    g = torch.tensor([0.0, 0.5, 0.0])
    shared_ink(h, g).sum().backward()
    # d/dH of min/max: 0 where both are 0 (not 1/(2 eps)), 1/G where H < G.
    assert h.grad.tolist() == pytest.approx([0.0, 2.0, 0.0])


def test_bad_input_fails_loudly():
    with pytest.raises(ValueError, match=r"shapes differ: \(2, 2\) vs \(2, 3\)"):
        scores(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"\(N, 1, H, W\), got \(1, 3, 2, 2\)"):
        scores(np.zeros((1, 3, 2, 2)), np.zeros((1, 3, 2, 2)))
    with pytest.raises(ValueError, match="must be float in \\[0, 1\\], got uint8"):
        scores(np.zeros((2, 2), np.uint8), np.zeros((2, 2), np.uint8))
    with pytest.raises(TypeError, match="must both be numpy arrays or both torch tensors"):
        scores(np.zeros((2, 2)), torch.zeros(2, 2))


def test_8bit_file_round_trip(tmp_path):
    rng = np.random.default_rng(4)
    # Exactly representable levels k/255: the round trip is lossless.
    g = rng.integers(0, 256, (12, 12)) / 255.0
    h = rng.integers(0, 256, (12, 12)) * (rng.random((12, 12)) < 0.5) / 255.0
    write_ink(tmp_path / "g.png", g)
    write_ink(tmp_path / "h.png", h)
    got = scores(read_ink(tmp_path / "h.png"), read_ink(tmp_path / "g.png"))
    assert got == pytest.approx(scores(h, g), abs=1e-6)

    # Arbitrary floats: each value moves by at most half a level (1/510). With
    # every ink value >= 0.2 no pixel gains or loses ink, so per pixel
    # |d(min/max)| <= (1/510)/0.2 and |dP|, |dR|, |dF1| <= 5/510; |dRMSE| <= 1/510.
    g = np.where(rng.random((12, 12)) < 0.4, rng.uniform(0.2, 1.0, (12, 12)), 0.0)
    h = np.where(rng.random((12, 12)) < 0.4, rng.uniform(0.2, 1.0, (12, 12)), 0.0)
    write_ink(tmp_path / "g.png", g)
    write_ink(tmp_path / "h.png", h)
    g8, h8 = read_ink(tmp_path / "g.png"), read_ink(tmp_path / "h.png")
    assert np.abs(g8 - g).max() <= 1 / 510 + 1e-6
    exact, quantised = scores(h, g), scores(h8, g8)
    for k in ("P", "R", "F1"):
        assert quantised[k] == pytest.approx(exact[k], abs=5 / 510)
    assert quantised["RMSE"] == pytest.approx(exact["RMSE"], abs=1 / 510 + 1e-6)
