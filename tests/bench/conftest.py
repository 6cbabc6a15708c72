"""Fakes for the bench tests: a complete, tiny, deterministic :class:`Backend`.

The fast bench tests exercise the bench's own logic (planning, resuming,
scoring, writing) without training anything: ``train`` writes a JSON "model"
whose prediction is ``clip(gain * darkness, 0, 1)`` of the input; the bench
scores it with the real :func:`senga.evaluate.evaluate`, checked against
``reference_scores``, a direct transcription of docs/paper.md, eqs. 4-6 plus RMSE. The real
modules are exercised by ``test_end_to_end.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from senga.bench.backend import Backend
from senga.io import read_ink, read_rgb, write_ink, write_rgb

PRESETS = ("ours", "wo-attn", "dice", "pix2pix", "exp5")
#: How strongly each fake "model" darkens: different presets give different scores.
GAINS = {"ours": 1.0, "wo-attn": 1.5, "dice": 3.0, "pix2pix": 0.7, "exp5": 2.0}


def reference_scores(pred: np.ndarray, gt: np.ndarray, eps: float = 1e-8) -> dict[str, float]:
    """docs/paper.md, eqs. 4-6 and RMSE, written out directly (both empty -> 1, one empty -> 0)."""
    pred = pred.astype(np.float64)
    gt = gt.astype(np.float64)
    shared = (np.minimum(pred, gt) / np.maximum(np.maximum(pred, gt), eps)).sum()
    nh, ng = (pred > 0).sum(), (gt > 0).sum()

    def ratio(num: float, den: float) -> float:
        if den == 0:
            return 1.0 if nh == 0 and ng == 0 else 0.0
        return float(num / den)

    return {
        "P": ratio(shared, nh),
        "R": ratio(shared, ng),
        "F1": ratio(2 * shared, nh + ng),
        "RMSE": float(np.sqrt(np.mean((pred - gt) ** 2))),
    }


def make_pair(seed: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """A color fill with a few dark lines of random darkness; returns (rgb, ink)."""
    rng = np.random.default_rng(seed)
    ink = np.zeros((size, size), np.float32)
    for _ in range(4):
        y = int(rng.integers(0, size - 2))
        ink[y : y + 2, int(rng.integers(0, size // 2)) :] = float(rng.uniform(0.3, 1.0))
        x = int(rng.integers(0, size - 2))
        ink[: int(rng.integers(size // 2, size)), x : x + 2] = float(rng.uniform(0.3, 1.0))
    fill = rng.integers(160, 255, size=3).astype(np.float32)
    rgb = np.clip(np.rint(fill[None, None, :] * (1.0 - ink[..., None])), 0, 255).astype(np.uint8)
    return rgb, ink


def write_pairs(root: Path, n: int, seed: int, size: int) -> Path:
    """A paired folder ``root/color``, ``root/line`` of ``n`` pairs named 0000, 0001, ..."""
    for i in range(n):
        rgb, ink = make_pair(seed * 1000 + i, size)
        write_rgb(root / "color" / f"{i:04d}.png", rgb)
        write_ink(root / "line" / f"{i:04d}.png", ink)
    return root


class FakePaired:
    """Reads ``ROOT/color/*.png`` + ``ROOT/line/*.png`` (what PairedFolder does, minus validation)."""

    def __init__(self, root: Path) -> None:
        root = Path(root)
        if not (root / "color").is_dir():
            raise ValueError(f"{root}: not a paired folder")
        self.names = sorted(p.stem for p in (root / "color").glob("*.png"))
        self.root = root

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray, str]:
        name = self.names[i]
        return (
            read_rgb(self.root / "color" / f"{name}.png"),
            read_ink(self.root / "line" / f"{name}.png"),
            name,
        )


def darkness(rgb: np.ndarray) -> np.ndarray:
    """``1 - min channel / 255``: how dark a pixel is."""
    return 1.0 - rgb.min(axis=2).astype(np.float32) / 255.0


class FakeTrainer:
    """``get_preset`` + ``train`` (recording their calls) + ``load_model``."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def get_preset(self, name: str, **overrides: Any) -> SimpleNamespace:
        if name not in PRESETS:
            raise ValueError(f"preset: unknown preset {name!r} (valid: {', '.join(PRESETS)})")
        bad = [
            k
            for k in overrides
            if k
            not in (
                "data",
                "steps",
                "seed",
                "batch",
                "crop",
                "device",
                "val",
                "indicator",
                "cancellation",
                "lr",
            )
        ]
        if bad:
            raise ValueError(f"{bad[0]}: unknown field")
        return SimpleNamespace(preset=name, **overrides)

    def train(self, config: SimpleNamespace, run_dir: Path, resume: bool = False, progress: bool = True):
        self.calls.append(
            {
                "preset": config.preset,
                "run_dir": Path(run_dir),
                "resume": resume,
                "steps": config.steps,
                "seed": config.seed,
                "data": list(config.data),
                "indicator": getattr(config, "indicator", None),
                "cancellation": getattr(config, "cancellation", None),
            }
        )
        last = Path(run_dir) / "last"
        last.mkdir(parents=True, exist_ok=True)
        (last / "config.json").write_text(json.dumps({"gain": GAINS[config.preset], "steps": config.steps}))
        return SimpleNamespace(
            run_dir=Path(run_dir),
            best_dir=None,
            last_dir=last,
            steps=config.steps,
            seconds=12.5,
            best_f1=None,
            history=[],
        )

    def load_model(self, path: Path) -> Callable[[np.ndarray], np.ndarray]:
        """The fake "model": a predictor ``rgb -> clip(gain * darkness(rgb))`` for :func:`senga.evaluate.evaluate`."""
        gain = json.loads((Path(path) / "config.json").read_text())["gain"]
        return lambda rgb: np.clip(gain * darkness(rgb), 0.0, 1.0).astype(np.float32)


@pytest.fixture(name="reference_scores")
def reference_scores_fixture():
    """The direct transcription of eqs. 4-6 + RMSE (to check the bench's numbers against)."""
    return reference_scores


@pytest.fixture
def trainer() -> FakeTrainer:
    return FakeTrainer()


@pytest.fixture
def backend(trainer: FakeTrainer) -> Backend:
    """A complete fake backend; ``backend.datasets`` lists the write_dataset calls."""
    made: list[dict[str, Any]] = []

    def write_dataset(out_dir: Path, n: int, seed: int, size: int) -> None:
        made.append({"out_dir": Path(out_dir), "n": n, "seed": seed, "size": size})
        write_pairs(Path(out_dir), n, seed % 1000, size)

    b = Backend(
        get_preset=trainer.get_preset,
        train=trainer.train,
        load_model=trainer.load_model,
        classical={
            "morph": lambda rgb: np.clip(0.5 * darkness(rgb), 0, 1),
            "xdog": lambda rgb: (darkness(rgb) > 0.5).astype(np.float32),
            "blurdiff": lambda rgb: darkness(rgb) ** 2,
        },
        load_pairs=FakePaired,
        write_dataset=write_dataset,
    )
    b.datasets = made  # type: ignore[attr-defined]  # our own attribute for the tests
    return b


@pytest.fixture
def test_dir(tmp_path: Path) -> Path:
    """A 3-pair 64x64 paired folder."""
    return write_pairs(tmp_path / "real", 3, seed=7, size=64)
