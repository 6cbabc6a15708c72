"""Registry, parameter checks, and every method on a synthetic drawing (lines high, fills low)."""

from __future__ import annotations

import numpy as np
import pytest
from classical_drawing import drawing

from senga.classical import METHODS, extract_classical, method_params
from senga.io import gray_to_ink, ink_to_gray
from senga.metrics import f1


def test_registry_names_and_params() -> None:
    assert sorted(METHODS) == ["blurdiff", "morph", "xdog"]
    assert method_params("morph") == {"size": 3, "gain": 1.0}
    assert set(method_params("xdog")) == {"sigma", "k", "tau", "epsilon", "phi"}
    assert set(method_params("blurdiff")) == {"sigma", "gain"}


def test_unknown_method_lists_valid_names() -> None:
    with pytest.raises(
        ValueError, match=r"unknown classical method 'canny'; valid names: blurdiff, morph, xdog"
    ):
        extract_classical("canny", np.zeros((2, 2, 3), np.uint8))


def test_unknown_param_lists_the_methods_params() -> None:
    with pytest.raises(
        ValueError,
        match=r"classical method 'xdog': unknown parameter 'size' \(valid parameters: sigma, k, tau",
    ):
        extract_classical("xdog", np.zeros((2, 2, 3), np.uint8), size=3)


def test_extract_classical_passes_params() -> None:
    rgb = np.full((5, 5, 3), 255, np.uint8)
    rgb[2, 2] = 205
    assert extract_classical("morph", rgb, gain=2.0)[2, 2] == pytest.approx(100 / 255, abs=1e-6)


@pytest.mark.parametrize(
    ("name", "line_mean", "f1_floor"),
    # measured on this drawing (8-bit round trip): morph 0.59 / F1 0.67 (3x3 misses the
    # centre of 3-px strokes), xdog 0.93 / 0.93, blurdiff 1.00 / 1.00
    [("morph", 0.5, 0.6), ("xdog", 0.85, 0.85), ("blurdiff", 0.9, 0.9)],
)
def test_ink_is_high_on_lines_and_zero_on_flat_fills(name: str, line_mean: float, f1_floor: float) -> None:
    rgb, lines, flat = drawing()
    ink = gray_to_ink(ink_to_gray(METHODS[name](rgb)))  # as a saved 8-bit file
    assert ink.dtype == np.float32 and ink.shape == lines.shape
    assert ink.min() >= 0.0 and ink.max() <= 1.0
    assert ink[lines].mean() > line_mean
    assert ink[flat].max() == 0.0  # flat colored fills are paper
    assert float(f1(ink, lines.astype(np.float32))) > f1_floor


def test_docstring_examples_run() -> None:
    import doctest

    import senga.classical
    from senga.classical import blurdiff, morph, xdog

    attempted = 0
    for module in (senga.classical, morph, xdog, blurdiff):
        result = doctest.testmod(module)
        assert result.failed == 0, module.__name__
        attempted += result.attempted
    assert attempted >= 8
