"""Line marking and the two-render line alpha, on small SVGs written here."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("resvg_py", reason="the vector source needs resvg-py (pip install -e '.[vector]')")

from senga.data.vector.layers import line_layers
from senga.data.vector.svg import SvgError, parse_svg

TOL = 2.5 / 255  # resvg composites in 8 bits


def svg(body: str, size: int = 64) -> str:
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}">{body}</svg>'


def layers_of(text: str, tmp_path, size: int = 64, name: str = "d.svg"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return line_layers(parse_svg(path), size, fit=False)


def test_alpha_exact_on_known_drawing(tmp_path) -> None:
    # A black 32x32 square under a red 24x24 one: the visible line is a 4-px ring.
    doc = svg(
        '<rect x="16" y="16" width="32" height="32" fill="#000"/><rect x="20" y="20" width="24" height="24" fill="#e03020"/>'
    )
    lay = layers_of(doc, tmp_path)
    expected = np.zeros((64, 64), np.float32)
    expected[16:48, 16:48] = 1.0
    expected[20:44, 20:44] = 0.0
    np.testing.assert_allclose(lay.alpha, expected, atol=TOL)
    # The fill under the ring is not line; the red shows in the base render.
    assert np.allclose(lay.base[30, 30], [0xE0 / 255, 0x30 / 255, 0x20 / 255], atol=TOL)
    assert np.allclose(lay.base[17, 17], 1.0, atol=TOL)  # lines rendered white


def test_alpha_keeps_antialiasing(tmp_path) -> None:
    # An edge on a half pixel covers that column half: alpha 0.5 there.
    lay = layers_of(svg('<rect x="10.5" y="8" width="20" height="40" fill="black"/>'), tmp_path)
    assert lay.alpha[20, 10] == pytest.approx(0.5, abs=TOL)
    assert lay.alpha[20, 11] == pytest.approx(1.0, abs=TOL)
    assert lay.alpha[20, 9] == 0.0
    assert lay.alpha[20, 30] == pytest.approx(0.5, abs=TOL)


def test_hidden_outline_does_not_leak(tmp_path) -> None:
    # A dark circle entirely under a colored square: no line at all.
    hidden = svg(
        '<circle cx="32" cy="32" r="12" fill="#111"/><rect x="8" y="8" width="48" height="48" fill="#5080f0"/>'
    )
    lay = layers_of(hidden, tmp_path, name="hidden.svg")
    assert lay.alpha.max() == 0.0
    # Half hidden: only the uncovered half (x < 32) is line.
    half = svg(
        '<rect x="16" y="16" width="32" height="32" fill="#000"/><rect x="32" y="0" width="32" height="64" fill="#50f080"/>'
    )
    lay = layers_of(half, tmp_path, name="half.svg")
    assert lay.alpha[:, 32:].max() == 0.0
    assert np.allclose(lay.alpha[16:48, 16:32], 1.0, atol=TOL)
    assert lay.alpha.sum() == pytest.approx(32 * 16, abs=1.0)


def test_stroke_is_line_fill_is_not(tmp_path) -> None:
    doc = svg('<circle cx="32" cy="32" r="20" fill="#ff0000" stroke="#000" stroke-width="4"/>')
    lay = layers_of(doc, tmp_path)
    assert lay.alpha[32, 32] == 0.0  # red inside
    assert lay.alpha[32, 12] == pytest.approx(1.0, abs=TOL)  # on the stroke (x = 32 - 20)
    ring = (lay.alpha > 0.5).sum()
    assert ring == pytest.approx(2 * np.pi * 20 * 4, rel=0.1)
    # The lines' own color is recovered where they are.
    assert np.allclose(lay.line_rgb[32, 12], 0.0, atol=TOL)


def test_line_color_recovered(tmp_path) -> None:
    lay = layers_of(svg('<rect x="8" y="8" width="20" height="20" fill="#402010"/>'), tmp_path)
    assert np.allclose(lay.line_rgb[16, 16], [0x40 / 255, 0x20 / 255, 0x10 / 255], atol=TOL)
    assert lay.alpha[16, 16] == pytest.approx(1.0, abs=TOL)


@pytest.mark.parametrize(
    ("body", "n_lines"),
    [
        ('<rect width="9" height="9" fill="#0000ff"/>', 0),  # saturated blue is a color, not a line
        ('<rect width="9" height="9" fill="#1a1a1a"/>', 1),
        ('<rect width="9" height="9" style="fill:#000;stroke:#333"/>', 2),
        ('<g fill="#000"><rect width="9" height="9"/></g>', 1),  # inherited
        ('<rect width="9" height="9"/>', 1),  # default fill is black
        ('<rect width="9" height="9" fill="#000" opacity="0.3"/>', 0),  # faint: shading
        ('<g opacity="0.4"><rect width="9" height="9" fill="#000"/></g>', 0),
        ('<rect width="9" height="9" fill="#00000033"/>', 0),
        ('<rect width="9" height="9" fill="#000" style="mix-blend-mode:multiply"/>', 0),
        ('<mask id="m"><rect width="9" height="9" fill="#000"/></mask>', 0),
        ('<rect width="9" height="9" fill="red" style="fill:black"/>', 1),  # style wins
        (
            '<defs><linearGradient id="g"><stop offset="0" stop-color="#000"/>'
            '<stop offset="1" stop-color="#222"/></linearGradient></defs><rect width="9" height="9" fill="url(#g)"/>',
            1,
        ),
        (
            '<defs><linearGradient id="g"><stop offset="0" stop-color="#000"/>'
            '<stop offset="1" stop-color="#fff"/></linearGradient></defs><rect width="9" height="9" fill="url(#g)"/>',
            0,
        ),
    ],
)
def test_line_paint_marking(tmp_path, body: str, n_lines: int) -> None:
    doc = parse_svg("t.svg", text=svg(body))
    assert len(doc.lines) == n_lines


def test_sizes_with_units_render(tmp_path) -> None:
    text = '<svg xmlns="http://www.w3.org/2000/svg" width="20mm" height="40mm"><rect width="10" height="10"/></svg>'
    doc = parse_svg("mm.svg", text=text)
    assert doc.aspect == pytest.approx(0.5)
    lay = line_layers(doc, 64, fit=False)
    assert lay.alpha.shape == (64, 32)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty file"),
        (b"this is not xml <", "not an SVG file"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"></html>', "root element is <html>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "no usable size"),
    ],
)
def test_bad_svg_one_line_error_naming_file(tmp_path, content: bytes, problem: str) -> None:
    path = tmp_path / "bad.svg"
    path.write_bytes(content)
    with pytest.raises(SvgError) as info:
        parse_svg(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: ")
    assert problem in msg
    assert "\n" not in msg


def test_missing_file(tmp_path) -> None:
    with pytest.raises(SvgError, match="no such file"):
        parse_svg(tmp_path / "nope.svg")
