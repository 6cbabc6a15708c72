"""``Tiling`` is passed whole; the keyword form keeps working."""

from __future__ import annotations

import numpy as np
import pytest

from senga.evaluate import as_predict_fn
from senga.extract import LineExtractor
from senga.extract.tiling import DEFAULT_OVERLAP, DEFAULT_TILE, Tiling, as_tiling


def test_as_tiling_takes_one_object_or_the_fields() -> None:
    assert as_tiling() == Tiling(DEFAULT_TILE, DEFAULT_OVERLAP, 1)
    assert as_tiling(tile=64, batch_size=2) == Tiling(64, DEFAULT_OVERLAP, 2)
    given = Tiling(96, 16, 3)
    assert as_tiling(given) is given
    with pytest.raises(ValueError, match="not both"):
        as_tiling(given, tile=64)
    with pytest.raises(ValueError, match="tile must be >= 32"):
        as_tiling(tile=8)


def test_line_extractor_takes_a_tiling_or_the_old_keywords() -> None:
    torch = pytest.importorskip("torch")
    from senga.models import create_model

    model = create_model("senga")
    with torch.no_grad():
        by_object = LineExtractor(model, device="cpu", tiling=Tiling(64, 16, 2))
        by_keywords = LineExtractor(model, device="cpu", tile=64, overlap=16, batch_size=2)
    assert by_object.tiling == by_keywords.tiling == Tiling(64, 16, 2)
    assert (by_keywords.tile, by_keywords.overlap, by_keywords.batch_size) == (64, 16, 2)
    assert LineExtractor(model, device="cpu").tiling == Tiling()
    with pytest.raises(ValueError, match="not both"):
        LineExtractor(model, device="cpu", tile=64, tiling=Tiling(64))


def test_from_pretrained_checks_the_tiling_before_reading_files(tmp_path) -> None:
    with pytest.raises(ValueError, match="overlap must be between"):
        LineExtractor.from_pretrained(tmp_path / "absent", tile=32, overlap=999)
    with pytest.raises(ValueError, match="not both"):
        LineExtractor.from_pretrained(tmp_path / "absent", overlap=16, tiling=Tiling())


def test_evaluate_tiles_a_model_with_the_tiling_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []

    def fake_predict_ink(
        model: object, rgb: np.ndarray, tile: int, overlap: int, device: object, batch_size: int = 1
    ) -> np.ndarray:
        seen.append((tile, overlap, batch_size))
        return np.zeros(rgb.shape[:2], np.float32)

    monkeypatch.setattr("senga.evaluate.predict_ink", fake_predict_ink)
    as_predict_fn("model.onnx", tiling=Tiling(64, 8, 2))(np.zeros((4, 4, 3), np.uint8))
    as_predict_fn("model.onnx", 128, 16)(np.zeros((4, 4, 3), np.uint8))
    assert seen == [(64, 8, 2), (128, 16, 1)]
