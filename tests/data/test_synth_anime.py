"""The opt-in anime features of the synthetic engine: what each one may and may not change."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from senga.data.synth import STYLES, SynthConfig, generate_pair, generate_pair_debug

SIZE = 160
#: Scenes with a character whose face and hair the anime features draw on (many seeds have none, or
#: only props and animals, and the features then have nothing to change).
SEEDS = (3, 7, 9, 12, 17, 20)
#: Scenes with lines inside dark fills, where multiply_dark has something to keep dark.
DARK_FILL_SEEDS = (6, 11, 17)
OFF = SynthConfig().without_degradation()


def _pairs(cfg: SynthConfig, size: int = SIZE, seeds: tuple[int, ...] = SEEDS) -> list[dict]:
    return [generate_pair_debug(s, size, cfg) for s in seeds]


@pytest.fixture(scope="module")
def base() -> list[dict]:
    return _pairs(OFF)


def test_default_style_is_the_default_config():
    assert SynthConfig().with_style("default") == SynthConfig()
    anime = SynthConfig().with_style("anime")
    assert anime.hair_strands_prob > 0 and anime.thick_style_prob < SynthConfig().thick_style_prob
    assert set(STYLES["anime"]) <= set(SynthConfig().to_dict())


def test_unknown_style_is_a_clear_error():
    with pytest.raises(ValueError, match=r"unknown 'manga'.*default, anime"):
        SynthConfig().with_style("manga")


def test_default_config_turns_every_feature_off(base):
    for d in base:
        assert not any(v for v in d["style"]["anime"].values() if isinstance(v, bool))


def test_airbrush_and_gloss_change_color_only(base):
    cfg = replace(OFF, airbrush_prob=1.0, gloss_prob=1.0)
    for b, d in zip(base, _pairs(cfg)):
        np.testing.assert_array_equal(d["ink"], b["ink"])  # fill only: the ground truth is untouched
        changed = int((d["rgb"] != b["rgb"]).any(axis=2).sum())
        assert changed >= 1000, changed  # measured 2700-11300 of the 25600 pixels


def test_multiply_dark_keeps_lines_dark_and_truth_equal(base):
    """Lines in dark fills stay black (multiplied): same ground truth, never lighter, fewer colored pixels."""
    cfg = replace(OFF, multiply_dark_prob=1.0)
    darker_pixels, darker_pairs = 0, 0
    for b, d in zip(_pairs(OFF, seeds=DARK_FILL_SEEDS), _pairs(cfg, seeds=DARK_FILL_SEEDS)):
        np.testing.assert_array_equal(d["ink"], b["ink"])
        assert d["colored_mask"].sum() <= b["colored_mask"].sum()
        diff = d["rgb_clean"].astype(int) - b["rgb_clean"].astype(int)
        assert diff.max() <= 0
        darker_pixels += int((diff.min(axis=2) < 0).sum())
        darker_pairs += int(diff.min() < 0)
    assert darker_pairs >= 2 and darker_pixels >= 20, (darker_pairs, darker_pixels)  # measured 3 and 42


#: knob -> (pairs of SEEDS that must gain ink, least total ink gained over SEEDS), about half of what
#: was measured at 160 px: strands gain ink in all 6 pairs (470 in all), eyes in 6 (34), hatching in 4 (382).
LINE_FEATURES = {
    "hair_strands_prob": (6, 200.0),
    "detailed_eyes_prob": (6, 15.0),
    "shadow_hatching_prob": (3, 150.0),
}


@pytest.mark.parametrize("knob", list(LINE_FEATURES))
def test_line_features_add_ink(base, knob):
    """Strands, lashes and hatching add line art (later parts still hide what is under them);
    only eyes may also remove some (their extra sparkles are punched through the ink)."""
    cfg = replace(OFF, **{knob: 1.0})
    gains = []
    for b, d in zip(base, _pairs(cfg)):
        if knob != "detailed_eyes_prob":
            assert (d["ink"] >= b["ink"] - 1e-6).all()
        gains.append(float(d["ink"].sum() - b["ink"].sum()))
    least_pairs, least_gain = LINE_FEATURES[knob]
    assert sum(g > 0.5 for g in gains) >= least_pairs and sum(gains) >= least_gain, gains


def test_hair_strands_are_thin():
    """0.5-1.5 px at 512; on a 1024 canvas with thin lines, times sqrt(2) only."""
    from senga.data.synth.style import sample_anime

    cfg = replace(OFF, hair_strands_prob=1.0, thin_hires_prob=1.0)
    for seed in range(20):
        assert 0.5 <= sample_anime(np.random.default_rng(seed), cfg, 512).strand_width <= 1.5
        assert 0.5 <= sample_anime(np.random.default_rng(seed), cfg, 1024).strand_width / 2**0.5 <= 1.5


def test_thin_lines_on_large_canvases():
    """thin_hires: at 1024 px line widths grow by sqrt(2), not 2 (style only; no full render needed)."""
    from senga.data.synth.style import apply_thin, sample_anime, sample_style

    for side, expect in ((1024, 2**-0.5), (512, 1.0)):
        rng = np.random.default_rng(5)
        st = sample_style(rng, SynthConfig(), side)
        w0 = st.outline_width
        st.anime = sample_anime(np.random.default_rng(1), replace(SynthConfig(), thin_hires_prob=1.0), side)
        apply_thin(st)
        assert st.outline_width == pytest.approx(w0 * expect)


def test_anime_style_is_deterministic():
    cfg = SynthConfig().with_style("anime")
    a = generate_pair(11, 128, cfg)
    b = generate_pair(11, 128, cfg)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_cli_style_anime(tmp_path):
    import argparse

    from senga.cli import synth

    p = argparse.ArgumentParser()
    synth.add_arguments(p)
    out = tmp_path / "s"
    assert synth.run(p.parse_args([str(out), "--n", "2", "--size", "64", "--style", "anime", "-q"])) == 0
    meta = json.loads((out / "meta.json").read_text())
    assert meta["config"]["hair_strands_prob"] == STYLES["anime"]["hair_strands_prob"]
    assert len(list((out / "color").iterdir())) == 2
    with pytest.raises(SystemExit):
        p.parse_args([str(out), "--style", "manga"])
