"""The one evaluate: predictors of every kind, 8-bit quantisation, per-image scores and their mean, errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn

from senga.evaluate import Evaluation, evaluate, quantize_ink
from senga.io import ink_to_gray
from senga.metrics import SCORE_KEYS, scores


def _pairs(n: int = 3, size: int = 40) -> list[tuple[np.ndarray, np.ndarray, str]]:
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        ink = np.where(rng.random((size, size + 4)) > 0.8, rng.random((size, size + 4)), 0).astype(np.float32)
        rgb = np.clip(np.rint(255 * (1 - ink[..., None]) * np.array([1.0, 0.9, 0.8])), 0, 255).astype(
            np.uint8
        )
        out.append((rgb, ink, f"p{i}"))
    return out


def _darkness(rgb: np.ndarray) -> np.ndarray:
    return (1.0 - rgb.min(axis=2) / 255.0).astype(np.float32) * 0.77  # not on the 8-bit grid


class Darkness(nn.Module):
    """A "generator": ink = 0.77 * (1 - min channel), (N, 3, H, W) -> (N, 1, H, W)."""

    size_multiple = 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 0.77 * (1.0 - x.min(dim=1, keepdim=True).values)


def test_function_scores_are_exact_metrics_of_the_8bit_prediction_and_their_mean() -> None:
    pairs = _pairs()
    kept: dict[str, np.ndarray] = {}
    ev = evaluate(_darkness, pairs, keep=lambda name, ink8: kept.__setitem__(name, ink8))
    assert isinstance(ev, Evaluation) and list(ev.mean) == list(SCORE_KEYS)
    for (rgb, gt, name), row in zip(pairs, ev.images):
        ink8 = quantize_ink(_darkness(rgb))
        np.testing.assert_array_equal(kept[name], ink8)
        np.testing.assert_array_equal(ink_to_gray(ink8), ink_to_gray(_darkness(rgb)))  # what a PNG would hold
        assert row["name"] == name
        assert row == {"name": name, **{k: pytest.approx(float(scores(ink8, gt)[k])) for k in SCORE_KEYS}}
    for k in SCORE_KEYS:
        assert ev.mean[k] == pytest.approx(np.mean([row[k] for row in ev.images]))


def test_generator_extractor_and_function_give_the_same_scores() -> None:
    pairs = _pairs(2)
    model = Darkness().train()
    by_model = evaluate(model, pairs, tile=32, overlap=8)
    assert model.training  # its mode is restored

    class Extractor:
        def predict_ink(self, rgb: np.ndarray) -> np.ndarray:
            return _darkness(rgb)

    by_extractor = evaluate(Extractor(), pairs)
    by_function = evaluate(_darkness, pairs)
    for k in SCORE_KEYS:
        assert by_model.mean[k] == pytest.approx(by_function.mean[k], abs=1e-6)
        assert by_extractor.mean[k] == by_function.mean[k]


def test_bad_sets_are_named_errors() -> None:
    with pytest.raises(ValueError, match="xdog: the set has no images"):
        evaluate(_darkness, [], name="xdog")
    rgb, gt, _ = _pairs(1)[0]
    with pytest.raises(ValueError, match=r"m: prediction for a is \(3, 3\), ground truth is"):
        evaluate(lambda _rgb: np.zeros((3, 3), np.float32), [(rgb, gt, "a")], name="m")


def test_works_without_torch_or_opencv() -> None:
    """The web page and the torch-free install score extractors too: evaluate never imports torch itself."""
    code = (
        "import importlib.abc, sys\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name.split('.')[0] in ('torch', 'cv2', 'scipy'):\n"
        "            raise ModuleNotFoundError(name, name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import numpy as np\n"
        "from senga.evaluate import evaluate\n"
        "ink = np.zeros((8, 8), np.float32); ink[2] = 1\n"
        "print(evaluate(lambda rgb: ink, [(np.zeros((8, 8, 3), np.uint8), ink, 'a')]).mean['F1'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1.0"
