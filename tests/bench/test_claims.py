"""The paper's-claims check, on hand-made numbers."""

from __future__ import annotations

from senga.bench.claims import check_claims

# docs/paper.md Table 1: every claim holds there.
PAPER = {
    "exp5": dict(RMSE=0.111, P=0.507, R=0.659, F1=0.560),
    "pix2pix": dict(RMSE=0.113, P=0.472, R=0.634, F1=0.535),
    "dice": dict(RMSE=0.106, P=0.392, R=0.713, F1=0.494),
    "wo-attn": dict(RMSE=0.109, P=0.561, R=0.681, F1=0.609),
    "ours": dict(RMSE=0.107, P=0.618, R=0.673, F1=0.638),
}


def _copy() -> dict[str, dict[str, float]]:
    return {k: dict(v) for k, v in PAPER.items()}


def test_paper_table_satisfies_every_claim() -> None:
    claims = check_claims(PAPER)
    assert [c.verdict for c in claims] == ["yes", "yes", "yes", "yes"]
    assert claims[0].detail == "0.618 / 0.561 / 0.392"
    assert claims[3].detail == "0.106 / 0.109 / 0.107, spread 0.003"


def test_order_broken_when_wo_attn_beats_ours_on_precision_only() -> None:
    m = _copy()
    m["wo-attn"]["P"] = 0.70
    p, f1, _, _ = check_claims(m)
    assert p.holds is False and p.detail == "0.618 / 0.700 / 0.392"
    assert f1.holds is True


def test_recall_claim_names_the_method_that_beats_dice() -> None:
    m = _copy()
    m["pix2pix"]["R"] = 0.80
    recall = check_claims(m)[2]
    assert recall.holds is False
    assert recall.detail == "Dice 0.713, best other Pix2pix 0.800"


def test_recall_ignores_ablation_rows() -> None:
    m = _copy()
    m["ours[power:100]"] = dict(RMSE=0.1, P=0.1, R=0.99, F1=0.2)
    assert check_claims(m)[2].holds is True


def test_rmse_spread_tolerance_is_0_01() -> None:
    m = _copy()
    m["dice"]["RMSE"], m["wo-attn"]["RMSE"], m["ours"]["RMSE"] = 0.100, 0.110, 0.105  # spread 0.010
    assert check_claims(m)[3].holds is True
    m["wo-attn"]["RMSE"] = 0.111  # spread 0.011
    assert check_claims(m)[3].holds is False


def test_missing_methods_are_not_checked_rather_than_false() -> None:
    claims = check_claims({"ours": PAPER["ours"], "dice": PAPER["dice"]})
    assert [c.holds for c in claims] == [None, None, True, None]
    assert claims[0].verdict == "not checked" and "W/o attn" in claims[0].detail
    assert claims[2].detail == "Dice 0.713, best other Ours 0.673"
    assert check_claims({"ours": PAPER["ours"]})[2].holds is None
