"""Screening, anime-style compositing and the paired-folder writer of the vector source."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("resvg_py", reason="the vector source needs resvg-py (pip install -e '.[vector]')")

from senga.data.paired import PairedFolder
from senga.data.vector import (
    AnimeStyle,
    ScreenConfig,
    composite,
    line_layers,
    make_pair,
    parse_svg,
    screen,
    write_vector_pairs,
)
from senga.io import read_ink, read_rgb

HEAD = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100">'
#: Outlined color shapes (what the source is for).
GOOD = (
    HEAD + '<circle cx="50" cy="55" r="35" fill="#f2c9a0" stroke="#000" stroke-width="1.5"/>'
    '<ellipse cx="50" cy="25" rx="30" ry="14" fill="#e05080" stroke="#201010" stroke-width="1.5"/>'
    '<circle cx="38" cy="55" r="5" fill="#000"/><circle cx="62" cy="55" r="5" fill="#000"/>'
    '<path d="M40 75 Q50 82 60 75" fill="none" stroke="#000" stroke-width="2"/></svg>'
)
SILHOUETTE = HEAD + '<circle cx="50" cy="50" r="40" fill="#000"/></svg>'
NO_LINES = HEAD + '<circle cx="50" cy="50" r="40" fill="#40a0f0"/></svg>'
PAINTERLY = (
    HEAD + '<circle cx="50" cy="50" r="40" fill="#40a0f0"/><circle cx="50" cy="50" r="3" fill="#000"/></svg>'
)
COLORING_PAGE = HEAD + '<circle cx="50" cy="50" r="40" fill="#fff" stroke="#000" stroke-width="1.5"/></svg>'


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (GOOD, None),
        (SILHOUETTE, "mostly dark shapes (silhouette or black-and-white art)"),
        (PAINTERLY, "no real outlines (too few line pixels)"),
        (COLORING_PAGE, "no color fills (line drawing only)"),
    ],
)
def test_screen(tmp_path, text: str, reason: str | None) -> None:
    layers = line_layers(parse_svg(write(tmp_path, "d.svg", text)), 96)
    assert screen(layers, ScreenConfig(), 96) == reason


def test_make_pair_reports_rejections_and_failures(tmp_path) -> None:
    rng = np.random.default_rng(0)
    assert make_pair(write(tmp_path, "n.svg", NO_LINES), rng, 64).rejected == "no dark line elements"
    text = HEAD + '<text x="5" y="50">hi</text><rect width="50" height="50" fill="#f00" stroke="#000"/></svg>'
    assert make_pair(write(tmp_path, "t.svg", text), rng, 64).rejected == "contains text"
    bad = make_pair(write(tmp_path, "bad.svg", "<svg"), rng, 64)
    assert bad.failed is not None and bad.failed.startswith(str(tmp_path / "bad.svg") + ": ")


def test_composite_keeps_lines_exact_and_paints_fills(tmp_path) -> None:
    layers = line_layers(parse_svg(write(tmp_path, "d.svg", GOOD)), 128)
    style = AnimeStyle(trace_p=0.0, ink_black_p=1.0, paper_tint_p=0.0, gloss_p=0.0)
    rgb = composite(layers, np.random.default_rng(3), style)
    assert rgb.shape == (*layers.alpha.shape, 3) and rgb.dtype == np.uint8
    full = layers.alpha > 0.99
    assert full.any()
    assert rgb[full].max() <= 0.17 * 255 + 1  # pure dark ink multiplied over any fill stays dark
    none = layers.alpha == 0
    paper = none & (layers.drawn.min(axis=2) > 0.99)
    assert (rgb[paper] == 255).all()  # white paper untouched
    # Fills keep their hue: the face is still skin-colored (red > blue) away from the lines.
    face = none & (np.abs(layers.base - np.array([0xF2, 0xC9, 0xA0]) / 255).max(axis=2) < 0.02)
    assert face.sum() > 100
    assert (rgb[face][:, 0].astype(int) > rgb[face][:, 2].astype(int)).mean() > 0.95


def test_colored_trace_recolors_lines(tmp_path) -> None:
    layers = line_layers(parse_svg(write(tmp_path, "d.svg", GOOD)), 128)
    traced = composite(
        layers, np.random.default_rng(1), AnimeStyle(trace_p=1.0, trace_region_p=1.0, ink_black_p=0.0)
    )
    plain = composite(layers, np.random.default_rng(1), AnimeStyle(trace_p=0.0, ink_black_p=0.0))
    on_line = layers.alpha > 0.99
    # Traced lines take the (darkened) color of the fill they border: not gray.
    t = traced[on_line].astype(int)
    p = plain[on_line].astype(int)
    assert (t.max(axis=1) - t.min(axis=1)).mean() > (p.max(axis=1) - p.min(axis=1)).mean() + 5


def test_writer_deterministic_by_seed_and_loadable(tmp_path) -> None:
    src = tmp_path / "src"
    for k in range(3):
        write(src, f"g/d{k}.svg", GOOD.replace("#e05080", ["#e05080", "#50a0e0", "#80e050"][k]))
    write(src, "g/sil.svg", SILHOUETTE)
    a = write_vector_pairs([src], tmp_path / "a", n=5, seed=7, size=80)
    b = write_vector_pairs([src], tmp_path / "b", n=5, seed=7, size=80)
    c = write_vector_pairs([src], tmp_path / "c", n=5, seed=8, size=80)
    assert len(a.written) == 5  # 3 usable files, a second pass reuses them with new draws
    assert a.written == b.written
    assert [r for _, r in a.rejected] == ["mostly dark shapes (silhouette or black-and-white art)"]
    for name, _ in a.written:
        for side in ("color", "line"):
            assert (tmp_path / "a" / side / f"{name}.png").read_bytes() == (
                tmp_path / "b" / side / f"{name}.png"
            ).read_bytes()
    same = [
        np.array_equal(
            read_rgb(tmp_path / "a" / "color" / f"{x}.png"), read_rgb(tmp_path / "c" / "color" / f"{y}.png")
        )
        for (x, _), (y, _) in zip(a.written, c.written)
    ]
    assert not all(same)
    ds = PairedFolder(tmp_path / "a")
    assert len(ds) == 5
    rgb, ink, _ = ds[0]
    assert rgb.shape[:2] == ink.shape and ink.max() > 0.9
    meta = json.loads((tmp_path / "a" / "meta.json").read_text())
    assert meta["n_written"] == 5 and meta["pairs"][0]["source"].endswith(".svg")
    # The line side is the exact alpha of the source drawing (as 8-bit).
    name, source = a.written[0]
    ink_file = read_ink(tmp_path / "a" / "line" / f"{name}.png")
    np.testing.assert_allclose(ink_file, line_layers(parse_svg(source), 80).alpha, atol=0.6 / 255)


def test_writer_same_output_with_workers(tmp_path) -> None:
    src = tmp_path / "src"
    write(src, "d0.svg", GOOD)
    write(src, "d1.svg", GOOD.replace("#e05080", "#50a0e0"))
    one = write_vector_pairs([src], tmp_path / "one", n=3, seed=1, size=64, workers=1)
    two = write_vector_pairs([src], tmp_path / "two", n=3, seed=1, size=64, workers=2)
    assert one.written == two.written
    for name, _ in one.written:
        assert (tmp_path / "one" / "color" / f"{name}.png").read_bytes() == (
            tmp_path / "two" / "color" / f"{name}.png"
        ).read_bytes()


def test_writer_errors(tmp_path) -> None:
    with pytest.raises(ValueError, match="missing: no such file or folder"):
        write_vector_pairs([tmp_path / "missing"], tmp_path / "o", n=1)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"no \.svg files"):
        write_vector_pairs([tmp_path / "empty"], tmp_path / "o", n=1)
