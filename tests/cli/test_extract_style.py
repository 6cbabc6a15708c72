"""``senga extract --style / --line-color / --gamma / --drop-below``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from images import write_png
from PIL import Image

from senga.cli.main import main
from senga.extract.style import OutputStyle, render_array
from senga.io import gray_to_ink


def _extract(src: Path, out: Path, *extra: str) -> int:
    return main(["extract", str(src), "-o", str(out), "--method", "xdog", "-q", *extra])


def test_styles_are_the_shared_rendering_of_the_black_output(tmp_path: Path) -> None:
    src = write_png(tmp_path / "a.png", 16, 24)
    assert _extract(src, tmp_path / "black.png") == 0
    gray = np.asarray(Image.open(tmp_path / "black.png"))
    assert gray.min() < 128  # there is a line
    ink = gray_to_ink(gray)
    assert _extract(src, tmp_path / "alpha.png", "--style", "alpha", "--line-color", "#ff0000") == 0
    with Image.open(tmp_path / "alpha.png") as im:
        assert (im.mode, im.size) == ("RGBA", (24, 16))
        np.testing.assert_array_equal(
            np.asarray(im), render_array(ink, OutputStyle("alpha", color=(255, 0, 0)))
        )
    assert (
        _extract(src, tmp_path / "cn.png", "--style", "controlnet", "--gamma", "0.5", "--drop-below", "0.2")
        == 0
    )
    with Image.open(tmp_path / "cn.png") as im:
        assert (im.mode, im.size) == ("L", (24, 16))
        want = render_array(ink, OutputStyle("controlnet", gamma=0.5, drop_below=0.2))
        np.testing.assert_array_equal(np.asarray(im), want)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--gamma", "0"], "senga: error: style gamma: must be in [0.1, 10], got 0.0"),
        (["--drop-below", "1.5"], "senga: error: style drop_below: must be in [0, 1), got 1.5"),
        (
            ["--style", "alpha", "--line-color", "red"],
            "senga: error: line color: expected a hex color like #000000, got 'red'",
        ),
        (
            ["--line-color", "#ff0000"],
            "senga: error: line color: applies to the alpha style only (got style 'black')",
        ),
    ],
)
def test_bad_style_flags_are_one_line_usage_errors(
    tmp_path: Path, capsys, flags: list[str], message: str
) -> None:
    src = write_png(tmp_path / "a.png", 16, 24)
    assert _extract(src, tmp_path / "o.png", *flags) == 2
    assert capsys.readouterr().err.strip() == message
    assert not (tmp_path / "o.png").exists()


def test_alpha_into_a_jpeg_output_fails_for_that_file_only(tmp_path: Path, capsys) -> None:
    src = write_png(tmp_path / "a.png", 16, 24)
    assert _extract(src, tmp_path / "o.jpg", "--style", "alpha") == 1
    err = capsys.readouterr().err
    assert "cannot write" in err and "RGBA" in err
    assert not (tmp_path / "o.jpg").exists()
