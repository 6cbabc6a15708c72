"""The processing-size option ``max_side``: outputs keep the input's size, and the model really
runs on the reduced image (spied on the backend's window sizes), for LineExtractor,
ClassicalExtractor, the CLI's extractor factory (shared by the local and Ray engines) and
the ComfyUI node."""

from __future__ import annotations

import argparse

import numpy as np
import pytest
from PIL import Image

from senga.extract import ClassicalExtractor, LineExtractor
from senga.extract.resize import check_max_side, downscale_rgb, processing_size, upscale_map

H, W = 90, 150


class SpyBackend:
    """A Backend that records the window sides it is given and returns the windows' darkness as ink."""

    size_multiple = 1

    def __init__(self) -> None:
        self.sides: list[tuple[int, int]] = []

    def run(self, tiles: np.ndarray) -> np.ndarray:
        self.sides.append((int(tiles.shape[1]), int(tiles.shape[2])))
        return 1.0 - tiles.mean(axis=3).astype(np.float32) / 255.0

    def describe(self) -> str:
        return "spy"


def drawing() -> np.ndarray:
    rng = np.random.default_rng(0)
    rgb = np.full((H, W, 3), 255, np.uint8)
    rgb[::9, :] = 0
    rgb[:, ::13] = rng.integers(0, 120, (H, 1, 3), dtype=np.uint8)
    return rgb


def test_processing_size_keeps_aspect_and_fits() -> None:
    assert processing_size(3000, 1500, 1024) == (1024, 512)
    assert processing_size(1500, 3000, 1280) == (640, 1280)
    assert processing_size(600, 800, None) == (600, 800)
    assert processing_size(600, 800, 800) == (600, 800)  # already fits: untouched
    assert processing_size(5, 4000, 16) == (1, 16)


@pytest.mark.parametrize("bad", [0, 15, -3, 2.5, "1024", True])
def test_bad_max_side_is_a_clear_error(bad: object) -> None:
    with pytest.raises(ValueError, match="max_side"):
        check_max_side(bad)  # type: ignore[arg-type]  # a wrong type on purpose
    with pytest.raises(ValueError, match="max_side"):
        LineExtractor(SpyBackend(), max_side=bad)  # type: ignore[arg-type]  # a wrong type on purpose


def test_resampling_shapes_and_dtypes() -> None:
    rgb = drawing()
    small = downscale_rgb(rgb, (30, 50))
    assert small.shape == (30, 50, 3) and small.dtype == np.uint8
    ink = upscale_map(np.linspace(0, 1, 30 * 50, dtype=np.float32).reshape(30, 50), (H, W))
    assert ink.shape == (H, W) and ink.dtype == np.float32 and ink.min() >= 0.0 and ink.max() <= 1.0
    gray = upscale_map(np.full((30, 50), 7, np.uint8), (H, W))
    assert gray.shape == (H, W) and gray.dtype == np.uint8 and (gray == 7).all()


def test_per_call_max_side_runs_small_and_returns_full_size() -> None:
    spy = SpyBackend()
    ex = LineExtractor(spy)
    rgb = drawing()
    full = ex.predict_ink(rgb)
    assert spy.sides == [(H, W)] and full.shape == (H, W)
    spy.sides.clear()
    ink = ex.predict_ink(rgb, max_side=50)
    assert spy.sides == [(30, 50)]  # the option reached the model: it saw the reduced image
    assert ink.shape == (H, W) and ink.dtype == np.float32
    spy.sides.clear()
    gray = ex.predict_gray(rgb, max_side=50)
    assert spy.sides == [(30, 50)] and gray.shape == (H, W) and gray.dtype == np.uint8
    spy.sides.clear()
    out = ex(Image.fromarray(rgb), max_side=75)
    assert spy.sides == [(45, 75)] and out.size == (W, H)


def test_constructor_default_and_override() -> None:
    spy = SpyBackend()
    ex = LineExtractor(spy, max_side=60)
    assert ex(drawing()).size == (W, H) and spy.sides == [(36, 60)]
    spy.sides.clear()
    ex.predict_gray(drawing(), max_side=100)  # a per-call value wins over the default
    assert spy.sides == [(60, 100)]


def test_reduced_run_is_close_to_full_on_smooth_ink() -> None:
    """Area down + bilinear up of a smooth image gives back nearly the same ink."""
    yy, xx = np.mgrid[0:H, 0:W]
    rgb = np.repeat(((xx + yy) * 255 / (H + W)).astype(np.uint8)[..., None], 3, axis=2)
    ex = LineExtractor(SpyBackend())
    assert np.abs(ex.predict_ink(rgb, max_side=75) - ex.predict_ink(rgb)).max() < 0.03


def test_classical_extractor_gets_max_side(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("cv2", reason="the classical baselines need OpenCV")
    seen: list[tuple[int, ...]] = []
    ex = ClassicalExtractor("xdog", max_side=50)
    inner = ClassicalExtractor._ink

    def spy(self: ClassicalExtractor, rgb: np.ndarray, progress: object) -> np.ndarray:
        seen.append(rgb.shape[:2])
        return inner(self, rgb, progress)  # type: ignore[arg-type]  # the spy passes progress through untyped

    monkeypatch.setattr(ClassicalExtractor, "_ink", spy)
    assert ex(drawing()).size == (W, H)
    assert seen == [(30, 50)]


def test_cli_flag_reaches_the_extractor_factory() -> None:
    """``--max-side`` is parsed and given to the extractor that both the local and the Ray engine build."""
    pytest.importorskip("torch", reason="the default backend of this check is torch")
    from senga.cli.extract import add_arguments, build_extractor

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["in.png", "--max-side", "64", "--method", "xdog"])
    assert build_extractor(args).max_side == 64
    args = parser.parse_args(["in.png", "--max-side", "64", "--device", "cpu"])
    assert build_extractor(args).max_side == 64
    assert build_extractor(parser.parse_args(["in.png", "--device", "cpu"])).max_side is None
    with pytest.raises(SystemExit):
        parser.parse_args(["in.png", "--max-side", "8"])


def test_comfyui_node_max_side(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch", reason="the ComfyUI nodes need PyTorch")
    from senga.integrations.comfyui import SengaLineArt, load_model

    seen: list[tuple[int, ...]] = []
    inner = LineExtractor._gray

    def spy(self: LineExtractor, rgb: np.ndarray, progress: object) -> np.ndarray:
        seen.append(rgb.shape[:2])
        return inner(self, rgb, progress)  # type: ignore[arg-type]  # the spy passes progress through untyped

    monkeypatch.setattr(LineExtractor, "_gray", spy)
    image = torch.from_numpy(drawing()).float()[None] / 255.0
    lines, alpha = SengaLineArt().extract(image, load_model("default", "cpu"), max_side=48)
    assert tuple(lines.shape[1:3]) == (H, W) and tuple(alpha.shape[1:]) == (H, W)
    assert seen == [(29, 48)]
