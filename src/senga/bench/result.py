"""What a bench run produced, as plain dataclasses that round-trip through JSON.

``results.json`` is :meth:`BenchResult.to_dict`; :func:`load_result` reads it
back, so tables can be regenerated (e.g. for ``docs/results.md``) without
re-running anything.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from senga.evaluate import Evaluation

__all__ = ["BenchResult", "Evaluation", "MethodResult", "TestSetInfo", "load_result"]


@dataclass
class MethodResult:
    """One row of the tables.

    ``kind`` is ``"learned"`` (a trained variant) or ``"classical"``;
    ``train_seconds`` and ``steps`` are None for classical methods.
    """

    name: str
    label: str
    kind: str
    preset: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    ablation: str | None = None
    run_dir: str | None = None
    checkpoint: str | None = None
    train_seconds: float | None = None
    steps: int | None = None
    evaluations: dict[str, Evaluation] = field(default_factory=dict)  # by test set name


@dataclass
class TestSetInfo:
    """A test set: its name (table heading), folder and image names."""

    __test__ = False  # not a pytest test class

    name: str
    path: str
    images: list[str]
    synthetic: bool = False


@dataclass
class BenchResult:
    """Everything a bench reports. ``figure`` is the comparison grid's file name (in OUT)."""

    command: str
    date: str
    machine: dict[str, Any]
    budget: dict[str, Any]
    test_sets: list[TestSetInfo]
    methods: list[MethodResult]
    out_dir: str = ""
    figure: str | None = None
    figure_rows: list[dict[str, str]] = field(default_factory=list)  # [{"test": .., "image": ..}]
    claims: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by test set name

    def method(self, name: str) -> MethodResult | None:
        """The row called ``name``, or None."""
        return next((m for m in self.methods if m.name == name), None)

    def means(self, test: str) -> dict[str, dict[str, float]]:
        """``{method name: {"P", "R", "F1", "RMSE"}}`` on test set ``test``."""
        return {m.name: m.evaluations[test].mean for m in self.methods if test in m.evaluations}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BenchResult:
        data = dict(data)
        data["test_sets"] = [TestSetInfo(**t) for t in data["test_sets"]]
        methods = []
        for m in data["methods"]:
            m = dict(m)
            m["evaluations"] = {k: Evaluation(**v) for k, v in m.get("evaluations", {}).items()}
            methods.append(MethodResult(**m))
        data["methods"] = methods
        return cls(**data)


def load_result(path: str | os.PathLike[str]) -> BenchResult:
    """Read a ``results.json`` written by a bench (a file, or the bench's OUT folder)."""
    path = Path(path)
    if path.is_dir():
        path = path / "results.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not valid JSON ({err.msg}, line {err.lineno})") from None
    try:
        return BenchResult.from_dict(data)
    except (KeyError, TypeError) as err:
        raise ValueError(f"{path}: not a senga bench results file ({err})") from None
