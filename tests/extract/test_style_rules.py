"""Every front end refuses a line color without the alpha style with the same one-line error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from senga.cli.main import main
from senga.extract.style import OutputStyle

RULE = "line color: applies to the alpha style only (got style 'black')"


def test_output_style_holds_the_rule() -> None:
    with pytest.raises(ValueError) as caught:
        OutputStyle("black", color=(255, 0, 0))
    assert str(caught.value) == RULE
    for name in ("controlnet", "color"):
        with pytest.raises(ValueError, match=f"alpha style only \\(got style '{name}'\\)"):
            OutputStyle(name, color=(0, 0, 255))
    assert OutputStyle("alpha", color=(255, 0, 0)).color == (255, 0, 0)
    assert OutputStyle("controlnet", color=(0, 0, 0)).name == "controlnet"  # black is every style's default


def test_the_cli_says_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "a.png"
    Image.fromarray(np.full((8, 8, 3), 255, np.uint8)).save(src)
    code = main(
        ["extract", str(src), "-o", str(tmp_path / "out.png"), "--method", "morph", "--line-color", "#ff0000"]
    )
    assert code == 2
    assert capsys.readouterr().err.strip() == f"senga: error: {RULE}"
    assert not (tmp_path / "out.png").exists()


def test_the_server_says_it() -> None:
    pytest.importorskip("fastapi", reason="the serve extra is not installed")
    from senga.serving.pipeline import RequestError, parse_style

    with pytest.raises(RequestError) as caught:
        parse_style("black", "#ff0000")
    assert (caught.value.status, caught.value.message) == (400, RULE)


def test_comfyui_says_it() -> None:
    torch = pytest.importorskip("torch")
    from senga.integrations.comfyui.nodes import SengaLineArt

    with pytest.raises(ValueError) as caught:
        SengaLineArt().extract(torch.zeros(1, 8, 8, 3), None, style="black", line_color="#ff0000")  # type: ignore[arg-type]  # no model on purpose
    assert str(caught.value) == RULE
