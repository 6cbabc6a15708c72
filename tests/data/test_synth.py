"""The synthetic illustration engine: determinism, ground-truth alignment, screentone
never in the ground truth, faint and full ink, white paper, degradations on color only."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from senga.data.synth import SynthConfig, SynthStream, generate_pair, generate_pair_debug, pair_seed
from senga.data.synth.style import sample_style

SIZE = 160
SEEDS = range(6)
CLEAN = SynthConfig().without_degradation()


@pytest.fixture(scope="module")
def debug_pairs() -> list[dict]:
    return [generate_pair_debug(s, SIZE, CLEAN) for s in SEEDS]


def test_same_seed_gives_identical_arrays_and_different_seeds_differ() -> None:
    a_rgb, a_ink = generate_pair(3, SIZE)
    b_rgb, b_ink = generate_pair(3, SIZE)
    c_rgb, c_ink = generate_pair(4, SIZE)
    assert a_rgb.shape == (SIZE, SIZE, 3) and a_rgb.dtype == np.uint8
    assert a_ink.shape == (SIZE, SIZE) and a_ink.dtype == np.float32
    np.testing.assert_array_equal(a_rgb, b_rgb)
    np.testing.assert_array_equal(a_ink, b_ink)
    assert not np.array_equal(a_ink, c_ink)
    assert not np.array_equal(a_rgb, c_rgb)


def test_stream_pair_i_is_the_ith_item_and_a_function_of_seed_and_index() -> None:
    stream = SynthStream(seed=5, size=96)
    it = iter(stream)
    first, second = next(it), next(it)
    np.testing.assert_array_equal(second[1], stream.pair(1)[1])
    np.testing.assert_array_equal(first[0], generate_pair(pair_seed(5, 0), 96)[0])
    assert pair_seed(5, 0) != pair_seed(5, 1) != pair_seed(6, 0)


def test_non_square_size_is_height_by_width() -> None:
    rgb, ink = generate_pair(1, (96, 144))
    assert rgb.shape == (96, 144, 3) and ink.shape == (96, 144)


def test_bad_arguments_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="seed"):
        generate_pair(-1, 64)
    with pytest.raises(ValueError, match="size"):
        generate_pair(0, 16)


def test_black_line_pixels_are_fill_times_one_minus_ink(debug_pairs: list[dict]) -> None:
    """color = fill * (1 - ink) wherever no colored line is drawn: never lighter than the fill."""
    for d in debug_pairs:
        expected = np.rint(255 * d["fill"] * (1 - d["ink"])[..., None])
        plain = ~d["colored_mask"]
        got = d["rgb_clean"].astype(np.float64)
        np.testing.assert_allclose(got[plain], expected[plain], atol=1.0)
        line = plain & (d["ink"] > 0)
        assert np.all(got[line] <= np.rint(255 * d["fill"][line]) + 1)


def test_colored_lines_occur_and_are_recorded() -> None:
    cfg = replace(CLEAN, colored_trace_prob=1.0, colored_trace_share=1.0)
    lighter = 0
    for seed in range(3):
        d = generate_pair_debug(seed, SIZE, cfg)
        assert d["colored_mask"].sum() > 20
        assert np.all(d["ink"][d["colored_mask"]] > 0)
        # where a colored line is drawn, the color image is lighter than a black line would make it
        m = d["colored_mask"] & (d["ink"] > 0.5)
        black = np.rint(255 * d["fill"][m] * (1 - d["ink"][m])[:, None])
        lighter += int((d["rgb_clean"][m].astype(np.float64) > black + 8).any(axis=1).sum())
    assert lighter > 50


def test_screentone_never_reaches_the_ground_truth() -> None:
    """Switching screentone on changes the color image inside the tone mask only, never the ink."""
    with_tone = replace(CLEAN, screentone_prob=1.0)
    no_tone = replace(CLEAN, screentone_prob=0.0)
    toned = 0
    for seed in range(8):
        a = generate_pair_debug(seed, SIZE, with_tone)
        b = generate_pair_debug(seed, SIZE, no_tone)
        np.testing.assert_array_equal(a["ink"], b["ink"])
        assert not b["screentone_mask"].any()
        changed = np.any(a["rgb_clean"] != b["rgb_clean"], axis=2)
        assert not np.any(changed & ~a["screentone_mask"])
        toned += int(a["screentone_mask"].sum())
    assert toned > 500


def test_ground_truth_has_faint_and_full_ink(debug_pairs: list[dict]) -> None:
    inks = np.concatenate([d["ink"].ravel() for d in debug_pairs])
    assert (inks > 0).mean() > 0.01
    assert (inks >= 0.99).sum() > 200
    assert ((inks >= 0.15) & (inks <= 0.5)).sum() > 200
    assert inks.min() >= 0 and inks.max() <= 1


def test_faint_strokes_exist_in_the_stroke_interior() -> None:
    """With every stroke group faint, the darkest line pixels (not solid ink shapes) stay in 0.15..0.5."""
    cfg = replace(CLEAN, faint_stroke_prob=1.0, gray_lines_prob=0.0, pencil_grain_prob=0.0, sketchy_prob=0.0)
    d = generate_pair_debug(0, SIZE, cfg)
    ink = d["ink"]
    assert ((ink > 0.15) & (ink <= 0.5)).sum() > 100


def test_paper_outside_the_figure_is_white(debug_pairs: list[dict]) -> None:
    seen = 0
    for d in debug_pairs:
        paper = ~d["figure_mask"] & (d["ink"] == 0)
        assert np.all(d["rgb_clean"][paper] == 255)
        seen += int(paper.sum())
    assert seen > SIZE * SIZE  # over the seeds, at least one image's worth of bare paper


def test_degradations_change_only_the_color_image() -> None:
    harsh = replace(SynthConfig(), blur_prob=1.0, resample_prob=1.0, noise_prob=1.0, jpeg_prob=1.0)
    a = generate_pair_debug(1, SIZE, harsh)
    b = generate_pair_debug(1, SIZE, CLEAN)
    np.testing.assert_array_equal(a["ink"], b["ink"])
    np.testing.assert_array_equal(a["rgb_clean"], b["rgb_clean"])
    assert not np.array_equal(a["rgb"], b["rgb"])
    np.testing.assert_array_equal(b["rgb"], b["rgb_clean"])


def test_config_round_trips_through_a_dict_and_rejects_unknown_fields() -> None:
    cfg = replace(SynthConfig(), jpeg_prob=0.0, thick_style_prob=1.0)
    assert SynthConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match=r"unknown field.*bogus"):
        SynthConfig.from_dict({"bogus": 1})


def test_line_widths_span_sub_pixel_to_thick_across_styles() -> None:
    """Thin full-figure styles reach sub-pixel widths; thick cartoon close-ups reach several px; all within limits."""
    cfg = SynthConfig()
    styles = [sample_style(np.random.default_rng(s), cfg, 512) for s in range(300)]
    thin = [st.outline_width for st in styles if st.framing == "full" and not st.thick]
    thick = [st.outline_width for st in styles if st.framing == "closeup" and st.thick]
    assert thin and thick
    assert min(thin) < 0.8 and max(thick) > 6.0
    assert all(cfg.line_width_min <= st.outline_width <= cfg.line_width_max for st in styles)
    # a 128 px canvas scales widths down (clamped at the minimum)
    small = [sample_style(np.random.default_rng(s), cfg, 128).outline_width for s in range(50)]
    assert max(small) <= cfg.line_width_max / 4 + 1e-6 and min(small) >= cfg.line_width_min
