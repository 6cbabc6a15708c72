"""Output styles (senga.extract.style): black / alpha / controlnet, gamma, drop_below, validation."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from senga.extract.style import STYLES, OutputStyle, adjust_ink, parse_color, render, render_array
from senga.io import gray_to_ink, ink_to_gray


def _ink(h: int = 17, w: int = 23, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ink = rng.random((h, w), dtype=np.float32)
    ink[0, :] = 0.0
    ink[1, :] = 1.0
    return ink


def test_black_is_the_plain_line_image() -> None:
    ink = _ink()
    out = render(ink, OutputStyle())
    assert (out.mode, out.size) == ("L", (23, 17))
    np.testing.assert_array_equal(np.asarray(out), ink_to_gray(ink))


def test_black_restyling_an_8bit_line_map_gives_the_same_bytes() -> None:
    gray = np.arange(256, dtype=np.uint8).reshape(16, 16)
    np.testing.assert_array_equal(render_array(gray_to_ink(gray), OutputStyle()), gray)


@pytest.mark.parametrize("color", [(0, 0, 0), (200, 30, 90)])
def test_alpha_composited_on_white_equals_black_within_one_level(color: tuple[int, int, int]) -> None:
    ink = _ink()
    rgba = render(ink, OutputStyle("alpha", color=color))
    assert (rgba.mode, rgba.size) == ("RGBA", (23, 17))
    arr = np.asarray(rgba)
    assert (arr[..., :3] == np.array(color, np.uint8)).all()
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    composited = np.asarray(Image.alpha_composite(white, rgba).convert("L"), np.int16)
    black = np.asarray(render(ink, OutputStyle("black")), np.int16)
    if color == (0, 0, 0):
        assert np.abs(composited - black).max() <= 1
    else:  # a colored line: alpha still carries the darkness exactly
        assert np.abs(arr[..., 3].astype(np.int16) - (255 - black)).max() <= 1


def test_controlnet_is_the_inverse_of_black() -> None:
    ink = _ink()
    cn = render(ink, OutputStyle("controlnet"))
    assert (cn.mode, cn.size) == ("L", (23, 17))
    diff = np.asarray(cn, np.int16) + np.asarray(render(ink, OutputStyle()), np.int16) - 255
    assert np.abs(diff).max() <= 1
    assert np.asarray(cn)[0].max() == 0 and np.asarray(cn)[1].min() == 255  # paper black, full ink white


def test_gamma_changes_contrast_and_keeps_paper_and_full_ink() -> None:
    ink = np.array([[0.0, 0.25, 0.5, 1.0]], np.float32)
    np.testing.assert_allclose(adjust_ink(ink, gamma=0.5), [[0.0, 0.5, np.sqrt(0.5), 1.0]], atol=1e-6)
    np.testing.assert_allclose(adjust_ink(ink, gamma=2.0), [[0.0, 0.0625, 0.25, 1.0]], atol=1e-6)
    assert render_array(ink, OutputStyle(gamma=0.5)).tolist() == [[255, 128, 75, 0]]


def test_drop_below_removes_faint_ink_only() -> None:
    ink = np.array([[0.05, 0.1, 0.3, 0.9]], np.float32)
    np.testing.assert_array_equal(adjust_ink(ink, drop_below=0.2), np.array([[0, 0, 0.3, 0.9]], np.float32))
    # the threshold applies to the model's ink, before gamma
    np.testing.assert_allclose(adjust_ink(ink, gamma=2.0, drop_below=0.2), [[0, 0, 0.09, 0.81]], atol=1e-6)
    assert render_array(ink, OutputStyle("controlnet", drop_below=0.2)).tolist() == [[0, 0, 76, 230]]


def test_adjust_ink_does_not_modify_its_input_and_clips() -> None:
    ink = np.array([[-0.5, 0.5, 1.5]], np.float32)
    before = ink.copy()
    out = adjust_ink(ink, gamma=2.0, drop_below=0.1)
    np.testing.assert_array_equal(ink, before)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.0, 0.25, 1.0]])


def test_styles_and_modes() -> None:
    assert STYLES == ("black", "alpha", "controlnet", "color")
    assert [OutputStyle(n).mode for n in STYLES] == ["L", "RGBA", "L", "RGBA"]
    assert OutputStyle().is_identity and not OutputStyle(gamma=0.5).is_identity
    assert not OutputStyle("controlnet").is_identity


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "sepia"}, "style: unknown style 'sepia' (choose from black, alpha, controlnet, color)"),
        ({"color": (0, 0, 256)}, "style color: expected three integers in 0..255, got (0, 0, 256)"),
        ({"color": (0, 0)}, "style color: expected three integers in 0..255, got (0, 0)"),
        ({"color": "#000000"}, "style color: expected three integers in 0..255, got '#000000'"),
        ({"gamma": 0.0}, "style gamma: must be in [0.1, 10], got 0.0"),
        ({"gamma": float("nan")}, "style gamma: must be in [0.1, 10], got nan"),
        ({"gamma": "2"}, "style gamma: expected a number, got '2'"),
        ({"drop_below": 1.0}, "style drop_below: must be in [0, 1), got 1.0"),
        ({"drop_below": -0.1}, "style drop_below: must be in [0, 1), got -0.1"),
    ],
)
def test_bad_styles_raise_one_line_value_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError) as info:
        OutputStyle(**kwargs)
    assert str(info.value) == message


def test_bad_ink_arrays_are_refused() -> None:
    with pytest.raises(ValueError, match=r"ink map must be \(H, W\), got shape \(2, 2, 3\)"):
        render(np.zeros((2, 2, 3), np.float32), OutputStyle())
    with pytest.raises(ValueError, match="ink map must be float in \\[0, 1\\], got dtype uint8"):
        render_array(np.zeros((2, 2), np.uint8), OutputStyle())
    with pytest.raises(TypeError, match="expected an OutputStyle, got str"):
        render_array(np.zeros((2, 2), np.float32), "black")  # type: ignore[arg-type]  # a wrong type on purpose


def test_parse_color() -> None:
    assert parse_color("#1a2B3c") == (26, 43, 60)
    assert parse_color("ff0000") == (255, 0, 0)
    with pytest.raises(ValueError, match="line color: expected a hex color like #000000, got 'red'"):
        parse_color("red")


def test_line_extractor_style_argument_uses_the_same_rendering() -> None:
    from senga.extract import ClassicalExtractor

    rgb = np.full((20, 30, 3), 255, np.uint8)
    rgb[10, :] = 0
    rgb[12:, :10] = (200, 60, 60)
    extractor = ClassicalExtractor("xdog")
    black = extractor(rgb)
    assert (black.mode, black.size) == ("L", (30, 20))
    gray = np.asarray(black)
    assert np.asarray(extractor(rgb, style="black")).tolist() == gray.tolist()
    alpha = extractor(rgb, style=OutputStyle("alpha", color=(0, 0, 255)))
    assert (alpha.mode, alpha.size) == ("RGBA", (30, 20))
    np.testing.assert_array_equal(
        np.asarray(alpha), render_array(gray_to_ink(gray), OutputStyle("alpha", (0, 0, 255)))
    )
    cn = extractor(rgb, style="controlnet")
    np.testing.assert_array_equal(np.asarray(cn), 255 - gray)
    with pytest.raises(ValueError, match="unknown style 'pink'"):
        extractor(rgb, style="pink")
