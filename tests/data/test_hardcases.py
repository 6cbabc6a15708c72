"""Hard-case suites: determinism, exact ground truth, the suites' own measures."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("cv2", reason="the synthetic engine needs OpenCV")

from senga.data.synth import hardcases as hc
from senga.data.synth.hardcases import SUITES, hard_case, suite_measure

SIZE = 96


@pytest.mark.parametrize("suite", SUITES)
def test_deterministic_by_seed(suite: str) -> None:
    a, b = hard_case(suite, 3, 1, SIZE), hard_case(suite, 3, 1, SIZE)
    assert np.array_equal(a.rgb, b.rgb) and np.array_equal(a.ink, b.ink)
    assert np.array_equal(a.measure_mask, b.measure_mask)
    c = hard_case(suite, 4, 1, SIZE)
    assert not np.array_equal(a.rgb, c.rgb)
    assert a.rgb.shape == (SIZE, SIZE, 3) and a.rgb.dtype == np.uint8
    assert a.ink.shape == (SIZE, SIZE) and a.ink.dtype == np.float32
    assert a.ink.min() >= 0.0 and a.ink.max() <= 1.0 and a.ink.max() > 0


def test_rectangular_size_is_height_width() -> None:
    case = hard_case("thick-lines", 0, 0, (64, 128))
    assert case.rgb.shape == (64, 128, 3) and case.ink.shape == (64, 128)


@pytest.mark.parametrize("suite", SUITES)
def test_color_is_composed_from_the_ground_truth(suite: str) -> None:
    """Paper stays white wherever there is neither fill nor line; every ink pixel changes the color."""
    layers = hc._scene(suite, np.random.default_rng(hc.case_seed(suite, 5, 0)), SIZE, SIZE)
    rgb = layers.compose()
    expect = np.clip(np.round((layers.fill * (1 - layers.ink[..., None]) + layers.line) * 255), 0, 255)
    assert np.array_equal(rgb, expect.astype(np.uint8))


def test_screentone_is_never_ink() -> None:
    case = hard_case("screentone", 0, 0, 256)
    layers = hc._scene("screentone", np.random.default_rng(hc.case_seed("screentone", 0, 0)), 256, 256)
    tone = layers.tone > 0.5
    assert tone.mean() > 0.02  # the suite has tone
    # where tone is and no outline crosses it, the ground truth is paper
    assert np.all(case.ink[tone & (layers.ink == 0)] == 0)
    assert case.measure_mask.any() and np.all(case.ink[case.measure_mask] == 0)
    # the tone darkens the color image there
    gray = case.rgb.mean(axis=2)
    assert gray[case.measure_mask].mean() < 200


def test_low_contrast_lines_are_full_lines() -> None:
    layers = hc._scene("low-contrast", np.random.default_rng(hc.case_seed("low-contrast", 0, 0)), 256, 256)
    case = hard_case("low-contrast", 0, 0, 256)
    core = case.ink > 0.999
    assert core.sum() > 100 and case.ink.max() == 1.0  # full ink in the ground truth
    # ... yet only 25-40 levels darker than the fill they cross
    luma = lambda a: a @ np.array([0.299, 0.587, 0.114], np.float32)  # noqa: E731 - a one-line helper
    drop = (luma(layers.fill) - luma(case.rgb.astype(np.float32) / 255))[core] * 255
    assert drop.min() >= 24 and drop.max() <= 41


def test_dark_fill_lines_are_black_in_near_black_fills() -> None:
    layers = hc._scene("dark-fill", np.random.default_rng(hc.case_seed("dark-fill", 2, 0)), 256, 256)
    luma = layers.fill @ np.array([0.299, 0.587, 0.114], np.float32) * 255
    dark = (luma > 28) & (luma < 52)
    assert dark.mean() > 0.05
    assert (layers.ink[dark] > 0.999).sum() > 20  # full black lines inside them


def test_faint_lines_keep_their_darkness() -> None:
    case = hard_case("faint-lines", 1, 0, 256)
    single = case.ink[case.ink > 0]
    assert single.max() < 1.0  # no stroke is full ink (only crossings add up)
    assert np.percentile(single, 90) <= 0.61


def test_thick_lines_interior() -> None:
    case = hard_case("thick-lines", 0, 0, 256)
    assert case.measure_mask.sum() > 200
    assert np.all(case.ink[case.measure_mask] >= 0.999)


def _stroke_case() -> tuple[np.ndarray, np.ndarray]:
    """A hand-made 12 px horizontal stroke and its interior (>= 2.5 px from the edge)."""
    thick = np.zeros((40, 60), np.float32)
    thick[14:26, 10:50] = 1.0
    return thick, hc._interior(thick)


def test_interior_of_a_hand_made_stroke() -> None:
    _, interior = _stroke_case()
    rows = np.flatnonzero(interior.any(axis=1))
    cols = np.flatnonzero(interior.any(axis=0))
    # distance >= 2.5 from the outside: rows 16..23 of 14..25 (the chamfer metric gives 3 px margins at corners)
    assert rows.min() >= 16 and rows.max() <= 23 and rows.size >= 6
    assert cols.min() >= 12 and cols.max() <= 47


def test_hollow_measure_on_a_hand_made_stroke() -> None:
    thick, interior = _stroke_case()
    full = thick.copy()
    assert suite_measure("thick-lines", full, interior) == 0.0
    outline = thick.copy()
    outline[17:23, 13:47] = 0.0  # an outline with a hollow core
    expect = float((outline[interior] < 0.5).mean())
    assert 0.3 < expect < 1.0
    assert suite_measure("thick-lines", outline, interior) == pytest.approx(expect)
    assert suite_measure("thick-lines", np.zeros_like(thick), interior) == 1.0


def test_tone_as_ink_measure() -> None:
    mask = np.zeros((10, 10), bool)
    mask[:, :4] = True  # 40 tone pixels
    pred = np.zeros((10, 10), np.float32)
    pred[:2, :4] = 0.3  # 8 of them taken as ink (> 0.25)
    pred[2:4, :4] = 0.2  # faint, not counted
    pred[:, 5:] = 1.0  # not tone pixels
    assert suite_measure("screentone", pred, mask) == pytest.approx(8 / 40)
    assert suite_measure("low-contrast", pred, mask) is None
    assert suite_measure("screentone", pred, np.zeros_like(mask)) is None


def test_unknown_suite_and_bad_seed() -> None:
    with pytest.raises(ValueError, match="unknown suite 'nope'"):
        hard_case("nope", 0)
    with pytest.raises(ValueError, match="non-negative"):
        hard_case("screentone", -1)


def test_cli_writes_a_suite(tmp_path) -> None:
    from senga.cli.main import main
    from senga.cli.synth import SUITE_NAMES
    from senga.io import read_ink, read_rgb

    assert SUITE_NAMES == SUITES
    out = tmp_path / "s"
    assert main(["synth", str(out), "--suite", "screentone", "--n", "2", "--size", "64x48", "-q"]) == 0
    meta = json.loads((out / "meta.json").read_text())
    assert meta["suite"] == "screentone" and meta["size"] == [48, 64] and meta["measure"] == "tone as ink"
    case = hard_case("screentone", 0, 1, (48, 64))
    assert np.array_equal(read_rgb(out / "color" / "screentone_000001.png"), case.rgb)
    assert np.abs(read_ink(out / "line" / "screentone_000001.png") - case.ink).max() <= 0.5 / 255 + 1e-6
    assert main(["synth", str(tmp_path / "t"), "--suite", "screentone", "--clean"]) != 0
