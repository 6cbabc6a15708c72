"""The ``color`` output style: lines keep their own color, fills are not lines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from senga.extract.style import STYLES, OutputStyle, flatten_on_white, line_colors, render, render_gray
from senga.io import ink_to_gray
from senga.io.color import luma

RED, BLUE, BLACK = (220, 30, 30), (30, 60, 210), (0, 0, 0)
FILLS = ((250, 225, 150), (170, 215, 240))  # a warm and a cool fill under the lines
SCALE = 4  # drawn at 4x and reduced: anti-aliased edges


def colored_drawing(h: int = 96, w: int = 128) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A drawing of red, blue and black lines over two fills and white paper.

    Returns:
        ``(rgb (H, W, 3) uint8, ink (H, W) float32, truth (H, W, 3) uint8)``: the image,
        a model-like ink map (coverage x darkness of the line's color) and each
        pixel's true line color.
    """
    big = (w * SCALE, h * SCALE)
    fill = Image.new("RGB", big, (255, 255, 255))
    d = ImageDraw.Draw(fill)
    d.rectangle([8 * SCALE, 8 * SCALE, 70 * SCALE, 88 * SCALE], fill=FILLS[0])
    d.ellipse([60 * SCALE, 20 * SCALE, 124 * SCALE, 84 * SCALE], fill=FILLS[1])
    lines = [  # (color, polyline, width)
        (RED, [(4, 30), (60, 12), (120, 40)], 3),
        (BLUE, [(10, 70), (64, 50), (124, 80)], 3),
        (BLACK, [(30, 4), (40, 92)], 2),
        (BLACK, [(90, 4), (100, 92)], 4),
    ]
    rgb = np.asarray(fill, np.float32) / 255.0
    ink = np.zeros((h, w), np.float32)
    truth = np.full((h, w, 3), 255, np.uint8)
    owner = np.zeros((h, w), np.float32)
    for color, points, width in lines:
        mask_img = Image.new("L", big, 0)
        ImageDraw.Draw(mask_img).line(
            [(x * SCALE, y * SCALE) for x, y in points], fill=255, width=width * SCALE, joint="curve"
        )
        cover = np.asarray(mask_img.resize((w, h), Image.Resampling.BOX), np.float32) / 255.0
        big_cover = np.asarray(mask_img, np.float32)[..., None] / 255.0
        rgb_big = (
            np.asarray(Image.fromarray((rgb * 255).round().astype(np.uint8)).resize(big), np.float32) / 255
        )
        rgb_big = big_cover * (np.array(color, np.float32) / 255.0) + (1 - big_cover) * rgb_big
        rgb = (
            np.asarray(
                Image.fromarray((rgb_big * 255).round().astype(np.uint8)).resize(
                    (w, h), Image.Resampling.BOX
                ),
                np.float32,
            )
            / 255.0
        )
        darkness = 1.0 - luma(color) / 255.0
        ink = np.maximum(ink, cover * darkness)
        mine = cover > owner
        truth[mine] = color
        owner = np.maximum(owner, cover)
    rgb8 = np.clip(np.rint(rgb * 255), 0, 255).astype(np.uint8)
    return rgb8, ink.astype(np.float32), truth


def _line_pixels(ink: np.ndarray, truth: np.ndarray, color: tuple[int, int, int]) -> np.ndarray:
    darkness = 1.0 - luma(color) / 255.0
    return (ink >= 0.5 * max(darkness, 1e-3)) & (truth == np.array(color, np.uint8)).all(axis=2)


def test_color_is_a_style_that_needs_the_input() -> None:
    assert "color" in STYLES
    assert OutputStyle("color").needs_rgb and OutputStyle("color").mode == "RGBA"
    assert not any(OutputStyle(name).needs_rgb for name in STYLES if name != "color")
    with pytest.raises(ValueError, match="needs the input image"):
        render(np.zeros((4, 4), np.float32), OutputStyle("color"))
    with pytest.raises(ValueError, match="4x3"):
        render(np.zeros((4, 4), np.float32), OutputStyle("color"), rgb=np.zeros((3, 4, 3), np.uint8))


def test_red_and_blue_lines_stay_red_and_blue_black_stays_black() -> None:
    rgb, ink, truth = colored_drawing()
    out = np.asarray(render(ink, OutputStyle("color"), rgb=rgb))
    assert out.shape == (*ink.shape, 4)
    errors = []
    for color in (RED, BLUE, BLACK):
        sel = _line_pixels(ink, truth, color)
        assert sel.sum() > 50
        got = out[sel, :3].astype(np.float32)
        mean = got.mean(axis=0)
        assert np.abs(mean - np.array(color)).max() < 20, (color, mean)
        errors.append(np.abs(got - np.array(color, np.float32)).mean(axis=1))
    mean_error = float(np.concatenate(errors).mean())
    assert mean_error < 20, mean_error
    # the pixel copied as is (what the style must improve on) is further off at the anti-aliased edges
    copied = np.concatenate(
        [
            np.abs(rgb[_line_pixels(ink, truth, c)].astype(np.float32) - np.array(c)).mean(axis=1)
            for c in (RED, BLUE, BLACK)
        ]
    )
    assert mean_error < copied.mean()


def test_fills_are_not_lines() -> None:
    rgb, ink, _ = colored_drawing()
    out = np.asarray(render(ink, OutputStyle("color"), rgb=rgb))
    paper_or_fill = ink == 0
    assert paper_or_fill.sum() > 1000
    assert (out[paper_or_fill, 3] == 0).all()  # fills are transparent: not part of the line art
    flat = np.asarray(flatten_on_white(Image.fromarray(out)))
    assert (flat[paper_or_fill] == 255).all()


def test_black_lines_stay_black_and_flattened_are_close_to_the_black_style() -> None:
    big = Image.new("L", (60 * SCALE, 40 * SCALE), 255)
    ImageDraw.Draw(big).line([(2 * SCALE, 5 * SCALE), (58 * SCALE, 35 * SCALE)], fill=0, width=3 * SCALE)
    gray = np.asarray(big.resize((60, 40), Image.Resampling.BOX), np.uint8)  # anti-aliased black line
    rgb = np.repeat(gray[..., None], 3, axis=2)
    out = render_gray(gray, OutputStyle("color"), rgb=rgb)
    assert (np.asarray(out)[gray < 128, :3] <= 16).all()  # the line is black
    flat = np.asarray(flatten_on_white(out), np.int16)
    diff = np.abs(flat - np.asarray(render_gray(gray, OutputStyle("black")), np.int16)[..., None])
    # pixels with >= PEAK_SHARE of the peak ink count as all line: their own (near-black) pixel color is kept
    assert diff.max() <= 16 and diff.mean() <= 1.0


def test_line_colors_un_blend_an_edge_pixel_over_its_fill() -> None:
    # one column of a red line over a yellow fill, a half-covered edge pixel beside it
    h, w = 9, 15
    fill, red = np.array([250, 225, 150], np.float32), np.array([220, 30, 30], np.float32)
    rgb = np.tile(fill, (h, w, 1))
    ink = np.zeros((h, w), np.float32)
    darkness = 1 - luma(tuple(int(c) for c in red)) / 255
    rgb[:, 7], ink[:, 7] = red, darkness
    rgb[:, 8], ink[:, 8] = 0.5 * red + 0.5 * fill, 0.5 * darkness
    colors = line_colors(ink, np.rint(rgb).astype(np.uint8)) * 255
    np.testing.assert_allclose(colors[4, 7], red, atol=3)
    np.testing.assert_allclose(colors[4, 8], red, atol=6)  # un-blended, not the copied orange


def test_the_batch_runner_passes_the_input_colors(tmp_path: Path) -> None:
    from senga.batch.runner import plan_outputs, run_files
    from senga.io import write_rgb

    rgb, ink, truth = colored_drawing()
    write_rgb(tmp_path / "art.png", rgb)

    class Ideal:  # the drawing's own ink, as an extractor
        def predict_gray(self, image: np.ndarray, progress: object = None) -> np.ndarray:
            np.testing.assert_array_equal(image, rgb)
            return ink_to_gray(ink)

    jobs, problems = plan_outputs([str(tmp_path / "art.png")], tmp_path / "out")
    assert not problems
    assert run_files(jobs, Ideal(), style=OutputStyle("color")).ok
    out = np.asarray(Image.open(tmp_path / "out" / "art.png"))
    expected = np.asarray(render_gray(ink_to_gray(ink), OutputStyle("color"), rgb=rgb))
    np.testing.assert_array_equal(out, expected)
    sel = _line_pixels(ink, truth, RED)
    assert np.abs(out[sel, :3].mean(axis=0) - np.array(RED)).max() < 20
