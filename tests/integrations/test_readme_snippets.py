"""The README's "diffusers / ControlNet" snippet runs as printed and gives what it says."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from images import drawn_image
from PIL import Image

from senga import LineExtractor

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_block(heading: str) -> str:
    """The first ```python block under ``## heading`` in README.md."""
    text = README.read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)
    assert len(section) == 2, f"README has no section {heading!r}"
    match = re.search(r"```python\n(.*?)```", section[1].split("\n## ", 1)[0], re.S)
    assert match is not None, f"README section {heading!r} has no python block"
    return match.group(1)


def test_diffusers_snippet_gives_a_white_on_black_rgb_control_image(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = readme_block("diffusers / ControlNet")
    assert "import diffusers" not in code and "from diffusers" not in code.replace("# ", "#")
    rgb = drawn_image(64, seed=4)[:, :48]
    Image.fromarray(rgb).save(tmp_path / "art.png")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md (diffusers / ControlNet)", "exec"), namespace)
    control = namespace["control"]
    assert isinstance(control, Image.Image) and control.mode == "RGB" and control.size == (48, 64)
    out = np.asarray(control).astype(np.int16)
    assert (out == out[..., :1]).all()
    black = np.asarray(LineExtractor.from_pretrained(device="cpu")(rgb)).astype(np.int16)
    assert np.abs(out[..., 0] - (255 - black)).max() <= 1  # the inverse of the black-on-white result
    assert (out[..., 0] > 128).mean() > 0.01  # white lines found on a black page
