"""Which models a bench trains: the presets and the paper's ablations.

A *variant* is one row of the results table that needs training: a preset of
:mod:`senga.train` plus field overrides. The ablations of the paper (docs/paper.md, "Differentiable
metrics") train the ``ours`` preset with one field changed; each such row is
named ``ours[CHANGE]`` (e.g. ``ours[power:100]``). The setting the paper kept
(``linear:0.1,0.9`` with cancellation on) *is* the ``ours`` row, so it is trained
once and never duplicated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: The paper's five compared methods (Table 1), in the paper's row order.
PAPER_PRESETS: tuple[str, ...] = ("exp5", "pix2pix", "dice", "wo-attn", "ours")

#: Names printed in tables and figures for the presets (the paper's wording).
PRESET_LABELS: dict[str, str] = {
    "exp5": "Exp 5",
    "pix2pix": "Pix2pix",
    "dice": "Dice",
    "wo-attn": "W/o attn",
    "ours": "Ours",
}

#: The indicator candidates of eqs. 7-8; the first is the paper's choice.
INDICATOR_CANDIDATES: tuple[str, ...] = ("linear:0.1,0.9", "linear:0.05,0.95", "power:100", "power:200")

#: Ablations a bench can add: name -> the overrides of ``ours`` that are NOT the default.
ABLATIONS: dict[str, tuple[tuple[str, dict[str, Any]], ...]] = {
    "indicators": tuple((f"ours[{ind}]", {"indicator": ind}) for ind in INDICATOR_CANDIDATES[1:]),
    "cancellation": (("ours[cancellation=off]", {"cancellation": False}),),
}


@dataclass(frozen=True)
class Variant:
    """One model to train: ``name`` is its row in the table and its run folder."""

    name: str
    preset: str
    overrides: dict[str, Any] = field(default_factory=dict)
    ablation: str | None = None  # the ablation that added it, None for a plain preset

    @property
    def label(self) -> str:
        """The table/figure label: the paper's name for presets, ``name`` otherwise."""
        return PRESET_LABELS.get(self.name, self.name)


def plan_variants(presets: list[str], ablations: list[str]) -> list[Variant]:
    """Presets (in the given order) then the ablation rows, without duplicates.

    An ablation trains ``ours`` with one change, so it adds ``ours`` itself when
    the preset list lacks it (the ablation needs its baseline row).

    Raises:
        ValueError: an unknown ablation name, or a preset listed twice.
    """
    seen: set[str] = set()
    out: list[Variant] = []
    for p in presets:
        if p in seen:
            raise ValueError(f"--presets: {p!r} is listed twice")
        seen.add(p)
        out.append(Variant(p, p))
    for ab in ablations:
        if ab not in ABLATIONS:
            raise ValueError(f"--ablation: unknown ablation {ab!r} (valid: {', '.join(ABLATIONS)})")
    for ab in dict.fromkeys(ablations):  # keep order, drop repeats
        if "ours" not in seen:
            seen.add("ours")
            out.append(Variant("ours", "ours"))
        for name, overrides in ABLATIONS[ab]:
            out.append(Variant(name, "ours", dict(overrides), ablation=ab))
    return out
