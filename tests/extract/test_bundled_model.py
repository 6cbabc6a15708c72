"""The bundled model: ships in the package, loads offline, and really extracts lines.

The floors below sit well under what the shipped weights measure (see
docs/results.md), so they catch a broken or missing model, a wrong
preprocessing or ink convention, not small changes in quality.
"""

from __future__ import annotations

import numpy as np
import pytest

from senga.classical import extract_classical
from senga.data.synth import generate_pair
from senga.extract import LineExtractor
from senga.io import gray_to_ink, ink_to_gray
from senga.metrics import scores
from senga.models import bundled_model_dir

#: The shipped model (v2 weights, fine-tuned for anime art, with its 0.0625 ink
#: floor) scores 0.45 on these three images (0.34 with ``ink_floor=0``; 0.63 on
#: the 32-image synthetic test set at 512 px and 0.51 on real anime art,
#: docs/results.md); morph scores 0.19 here.
F1_FLOOR = 0.35


@pytest.fixture(scope="module")
def extractor() -> LineExtractor:
    return LineExtractor.from_pretrained(device="cpu")


def test_bundled_weights_are_in_the_package_as_safetensors_and_json() -> None:
    folder = bundled_model_dir()
    assert (folder / "model.safetensors").is_file() and (folder / "config.json").is_file()
    assert not list(folder.glob("*.pt*")) and not list(folder.glob("*.pkl"))


def test_bundled_model_extracts_lines_from_a_synthetic_illustration(extractor, monkeypatch) -> None:
    # No network is needed: any attempt to open a socket fails the test.
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("the bundled model must load without network access")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    f1s, morph_f1s = [], []
    for seed in (11, 12, 13):
        rgb, gt = generate_pair(seed, 384)
        pred = gray_to_ink(ink_to_gray(extractor.predict_ink(rgb)))  # 8-bit, as users get it
        assert pred.shape == gt.shape
        f1s.append(float(scores(pred, gt)["F1"]))
        morph_f1s.append(float(scores(gray_to_ink(ink_to_gray(extract_classical("morph", rgb))), gt)["F1"]))
    assert np.mean(f1s) > F1_FLOOR, f1s
    assert np.mean(f1s) > np.mean(morph_f1s), (f1s, morph_f1s)


def test_bundled_model_keeps_white_paper_white(extractor) -> None:
    blank = np.full((64, 96, 3), 255, np.uint8)
    gray = np.asarray(extractor(blank))
    assert gray.shape == (64, 96)
    assert (gray >= 250).mean() > 0.99
