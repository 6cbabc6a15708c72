"""LineExtractor / ClassicalExtractor: PIL and numpy in, same-size "L" out, threads, loading."""

from __future__ import annotations

import doctest
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import torch
from images import drawn_image
from PIL import Image
from torch import nn

import senga
import senga.extract.extractor as extractor_module
from senga.classical import morph_lines
from senga.extract import ClassicalExtractor, LineExtractor, predict_ink
from senga.io import ink_to_gray
from senga.models import save_pretrained


@pytest.fixture(scope="module")
def extractor(generator: nn.Module) -> LineExtractor:
    return LineExtractor.from_model(generator, device="cpu", tile=64, overlap=32)


def test_numpy_rgb_gives_same_size_gray_with_the_model_output(
    extractor: LineExtractor, generator: nn.Module
) -> None:
    rgb = drawn_image(100, seed=1)[:70]
    out = extractor(rgb)
    assert isinstance(out, Image.Image) and out.mode == "L" and out.size == (100, 70)
    expected = ink_to_gray(predict_ink(generator, rgb, tile=64, overlap=32))
    assert np.array_equal(np.asarray(out), expected)
    ink = extractor.predict_ink(rgb)
    assert ink.dtype == np.float32 and ink.shape == (70, 100)
    assert np.array_equal(ink_to_gray(ink), expected)


def test_pil_and_numpy_inputs_agree(extractor: LineExtractor) -> None:
    rgb = drawn_image(48, seed=2)
    ref = np.asarray(extractor(rgb))
    assert np.array_equal(np.asarray(extractor(Image.fromarray(rgb))), ref)
    # RGBA: fully transparent pixels are white paper
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    rgba[:10, :, 3] = 0
    white_top = rgb.copy()
    white_top[:10] = 255
    expected = np.asarray(extractor(white_top))
    assert np.array_equal(np.asarray(extractor(rgba)), expected)
    assert np.array_equal(np.asarray(extractor(Image.fromarray(rgba, mode="RGBA"))), expected)


def test_gray_inputs_are_treated_as_gray_rgb(extractor: LineExtractor) -> None:
    g = drawn_image(40, seed=3)[..., 1].copy()
    ref = np.asarray(extractor(np.repeat(g[..., None], 3, axis=2)))
    assert np.array_equal(np.asarray(extractor(g)), ref)
    assert np.array_equal(np.asarray(extractor(Image.fromarray(g, mode="L"))), ref)


def test_batch_returns_one_image_per_input_in_order(extractor: LineExtractor) -> None:
    imgs = [drawn_image(32, seed=s) for s in range(3)] + [drawn_image(50, seed=9)[:7, :5].copy()]
    outs = extractor.batch(imgs)
    assert [o.size for o in outs] == [(32, 32)] * 3 + [(5, 7)]
    assert all(np.array_equal(np.asarray(o), np.asarray(extractor(i))) for o, i in zip(outs, imgs))


def test_concurrent_calls_give_the_sequential_results(extractor: LineExtractor) -> None:
    imgs = [drawn_image(96, seed=s) for s in range(8)]
    sequential = [np.asarray(extractor(i)) for i in imgs]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda i: np.asarray(extractor(i)), imgs))
    assert all(np.array_equal(a, b) for a, b in zip(sequential, threaded))


@pytest.mark.parametrize(
    ("image", "error", "match"),
    [
        (np.zeros((4, 4, 3), np.float32), ValueError, "uint8"),
        (np.zeros((4, 4, 2), np.uint8), ValueError, r"\(H, W, 3\), \(H, W, 4\) or \(H, W\)"),
        ([[0, 1]], TypeError, "PIL image or a numpy array"),
    ],
)
def test_bad_images_are_refused(extractor: LineExtractor, image: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        extractor(image)  # type: ignore[arg-type]  # a wrong type on purpose


def test_from_pretrained_loads_a_saved_folder(tmp_path: Path, generator: nn.Module) -> None:
    save_pretrained(generator, tmp_path / "model")
    loaded = LineExtractor.from_pretrained(tmp_path / "model", device="cpu", tile=64, overlap=32)
    rgb = drawn_image(64, seed=4)
    ref = LineExtractor.from_model(generator, device="cpu", tile=64, overlap=32)
    assert np.array_equal(np.asarray(loaded(rgb)), np.asarray(ref(rgb)))
    assert "tile=64" in repr(loaded)


@pytest.mark.parametrize("path", [None, "default", "bundled", "fast"])
@pytest.mark.parametrize("backend", ["torch", "onnxruntime"])
def test_missing_bundled_model_is_a_clear_error(
    path: str | None, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("senga.weights.bundled_model_dir", lambda name="default": tmp_path / "weights" / name)
    name = "fast" if path == "fast" else "default"
    with pytest.raises(ValueError, match=rf"weights/{name}: the bundled model '{name}' is not installed"):
        LineExtractor.from_pretrained(path, backend=backend)


def test_missing_model_folder_names_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"nope: no such model folder"):
        LineExtractor.from_pretrained(tmp_path / "nope")


def test_device_and_half_checks(generator: nn.Module) -> None:
    with pytest.raises(ValueError, match="half precision needs a CUDA device"):
        LineExtractor.from_model(generator, device="cpu", half=True)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            LineExtractor.from_model(generator, device="cuda")
        assert LineExtractor.from_model(generator, device="auto").device.type == "cpu"


def test_classical_extractor_has_the_same_interface() -> None:
    rgb = drawn_image(40, seed=5)
    ex = ClassicalExtractor("morph", size=5)
    out = ex(rgb)
    assert out.mode == "L" and out.size == (40, 40)
    assert np.array_equal(np.asarray(out), ink_to_gray(morph_lines(rgb, size=5)))
    assert [o.size for o in ex.batch([rgb, rgb[:3]])] == [(40, 40), (40, 3)]
    with pytest.raises(ValueError, match="valid names: blurdiff, morph, xdog"):
        ClassicalExtractor("sobel")
    with pytest.raises(
        ValueError,
        match=r"classical method 'morph': unknown parameter 'sigma' \(valid parameters: size, gain\)",
    ):
        ClassicalExtractor("morph", sigma=1.0)


def test_package_exports_line_extractor() -> None:
    assert senga.LineExtractor is LineExtractor


def test_docstring_examples_run() -> None:
    result = doctest.testmod(extractor_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 5 and result.failed == 0
