"""The paper's claims about Table 1 (docs/paper.md), checked on our numbers.

1. Ours > W/o attn > Dice on precision;
2. the same order on F1;
3. Dice has the highest recall among the learned methods of Table 1;
4. RMSE is about equal (spread within 0.01) for Dice, W/o attn and Ours.

Each check needs its methods in the results; when one is missing the claim is
reported as not checked (``holds`` None), never as false. Ablation rows
(``ours[...]``) are not part of these comparisons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from senga.bench.variants import PAPER_PRESETS, PRESET_LABELS

#: Largest RMSE spread still called "about equal".
RMSE_TOLERANCE: float = 0.01


@dataclass(frozen=True)
class Claim:
    """One claim: ``holds`` is True/False, or None when it could not be checked."""

    text: str
    holds: bool | None
    detail: str

    @property
    def verdict(self) -> str:
        return {True: "yes", False: "no", None: "not checked"}[self.holds]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fmt(x: float) -> str:
    return f"{x:.3f}"


def _order_claim(means: Mapping[str, Mapping[str, float]], metric: str) -> Claim:
    text = f"Ours > W/o attn > Dice on {metric}"
    names = ("ours", "wo-attn", "dice")
    missing = [PRESET_LABELS[n] for n in names if n not in means]
    if missing:
        return Claim(text, None, f"needs {', '.join(missing)}")
    a, b, c = (means[n][metric] for n in names)
    return Claim(text, bool(a > b > c), f"{_fmt(a)} / {_fmt(b)} / {_fmt(c)}")


def _recall_claim(means: Mapping[str, Mapping[str, float]]) -> Claim:
    text = "Dice has the highest recall among learned methods"
    learned = [n for n in PAPER_PRESETS if n in means]
    if "dice" not in means or len(learned) < 2:
        return Claim(text, None, "needs Dice and at least one other learned method")
    dice = means["dice"]["R"]
    best_other = max((n for n in learned if n != "dice"), key=lambda n: means[n]["R"])
    other = means[best_other]["R"]
    return Claim(
        text,
        bool(dice > other),
        f"Dice {_fmt(dice)}, best other {PRESET_LABELS[best_other]} {_fmt(other)}",
    )


def _rmse_claim(means: Mapping[str, Mapping[str, float]]) -> Claim:
    text = f"RMSE about equal (within {RMSE_TOLERANCE}) for Dice / W/o attn / Ours"
    names = ("dice", "wo-attn", "ours")
    missing = [PRESET_LABELS[n] for n in names if n not in means]
    if missing:
        return Claim(text, None, f"needs {', '.join(missing)}")
    vals = [means[n]["RMSE"] for n in names]
    spread = max(vals) - min(vals)
    return Claim(
        text,
        bool(spread <= RMSE_TOLERANCE + 1e-12),
        f"{' / '.join(_fmt(v) for v in vals)}, spread {_fmt(spread)}",
    )


def check_claims(means: Mapping[str, Mapping[str, float]]) -> list[Claim]:
    """Check the four claims on ``{method name: {"RMSE","P","R","F1"}}`` (one test set).

    Example::

        >>> paper = {"exp5": dict(RMSE=.111, P=.507, R=.659, F1=.560),
        ...          "pix2pix": dict(RMSE=.113, P=.472, R=.634, F1=.535),
        ...          "dice": dict(RMSE=.106, P=.392, R=.713, F1=.494),
        ...          "wo-attn": dict(RMSE=.109, P=.561, R=.681, F1=.609),
        ...          "ours": dict(RMSE=.107, P=.618, R=.673, F1=.638)}
        >>> [c.verdict for c in check_claims(paper)]
        ['yes', 'yes', 'yes', 'yes']
    """
    return [
        _order_claim(means, "P"),
        _order_claim(means, "F1"),
        _recall_claim(means),
        _rmse_claim(means),
    ]
