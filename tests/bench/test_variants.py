"""Which runs a bench plans: presets, ablation rows, folder names."""

from __future__ import annotations

import pytest

from senga.bench.runs import run_slug
from senga.bench.variants import plan_variants


def test_presets_keep_their_order_and_paper_labels() -> None:
    vs = plan_variants(["ours", "dice"], [])
    assert [(v.name, v.preset, v.label, v.overrides) for v in vs] == [
        ("ours", "ours", "Ours", {}),
        ("dice", "dice", "Dice", {}),
    ]


def test_indicator_ablation_adds_the_three_non_default_candidates() -> None:
    vs = plan_variants(["ours", "dice"], ["indicators"])
    assert [v.name for v in vs] == [
        "ours",
        "dice",
        "ours[linear:0.05,0.95]",
        "ours[power:100]",
        "ours[power:200]",
    ]
    assert vs[3].overrides == {"indicator": "power:100"} and vs[3].preset == "ours"
    assert vs[3].ablation == "indicators"


def test_cancellation_ablation_adds_ours_when_missing() -> None:
    vs = plan_variants(["dice"], ["cancellation"])
    assert [(v.name, v.overrides) for v in vs] == [
        ("dice", {}),
        ("ours", {}),
        ("ours[cancellation=off]", {"cancellation": False}),
    ]


def test_bad_lists_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="'ours' is listed twice"):
        plan_variants(["ours", "ours"], [])
    with pytest.raises(ValueError, match="unknown ablation 'gamma'"):
        plan_variants(["ours"], ["gamma"])


def test_run_folder_names_are_plain() -> None:
    assert run_slug("ours[power:100]") == "ours-power-100"
    assert run_slug("ours[linear:0.05,0.95]") == "ours-linear-0.05-0.95"
    assert run_slug("ours[cancellation=off]") == "ours-cancellation-off"
    assert run_slug("wo-attn") == "wo-attn"
