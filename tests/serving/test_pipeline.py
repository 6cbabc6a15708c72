"""Names, style fields and limits of the serving pipeline (no HTTP)."""

from __future__ import annotations

import pytest

from senga.extract.style import OutputStyle
from senga.serving.limits import ServeLimits
from senga.serving.pipeline import RequestError, display_name, download_name, parse_style


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("art.png", "art.png"), ("../../etc/passwd", "passwd"), ("C:\\Users\\me\\a b.jpg", "a b.jpg"),
     ("bad\x00\r\nname.png", "badname.png"), ("", "upload"), (None, "upload"), ("x" * 300, "x" * 120)],
)  # fmt: skip
def test_display_name_keeps_only_a_printable_last_part(raw, shown) -> None:
    assert display_name(raw) == shown


@pytest.mark.parametrize(
    ("name", "out"),
    [("art.png", "art_lines.png"), ("My Art.JPG", "My Art_lines.png"), ('é"; rm -rf.png', "e__ rm -rf_lines.png"),
     ("..png", "png_lines.png"), ("...", "image_lines.png"), ("日本.png", "image_lines.png")],
)  # fmt: skip
def test_download_name_is_safe_ascii(name: str, out: str) -> None:
    assert download_name(name) == out


def test_parse_style_defaults_and_fields() -> None:
    assert parse_style() == OutputStyle()
    assert parse_style("alpha", "#ff0000", "0.5", "0.1") == OutputStyle("alpha", (255, 0, 0), 0.5, 0.1)
    assert parse_style("controlnet", "", "", "") == OutputStyle("controlnet")


@pytest.mark.parametrize(
    ("args", "message"),
    [(("sepia",), "style: unknown style 'sepia' (choose from black, alpha, controlnet)"),
     (("black", None, "x"), "style gamma: expected a number, got 'x'"),
     (("black", None, None, "2"), "style drop_below: must be in [0, 1), got 2.0")],
)  # fmt: skip
def test_parse_style_errors_are_400(args, message: str) -> None:
    with pytest.raises(RequestError) as info:
        parse_style(*args)
    assert (info.value.status, info.value.message) == (400, message)


def test_limits_are_validated() -> None:
    assert ServeLimits().queue_size == 8
    with pytest.raises(ValueError, match="serve limit workers: must be an integer >= 1, got 0"):
        ServeLimits(workers=0)
