"""The classical methods run without torch (NumPy and OpenCV only)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

BLOCKED = textwrap.dedent(
    """
    import sys
    sys.modules["torch"] = None  # `import torch` now raises ImportError, as without torch
    import numpy as np
    from senga.classical import METHODS, extract_classical
    from senga.extract import ClassicalExtractor
    from senga.io.color import luminance

    img = np.full((24, 24, 3), 255, np.uint8)
    img[12, :] = 0  # a black row
    for name in sorted(METHODS):
        ink = extract_classical(name, img)
        assert ink.shape == (24, 24) and ink.dtype == np.float32, name
        assert ink[12, 12] > 0.5 and ink[2, 2] == 0.0, (name, float(ink[12, 12]), float(ink[2, 2]))
    assert ClassicalExtractor("xdog")(img).getpixel((12, 12)) < 128
    assert float(luminance(img)[0, 0]) == 255.0
    assert "senga.classical.morph_torch" not in sys.modules
    print("ok", ",".join(sorted(METHODS)))
    """
)


def test_every_classical_method_runs_with_torch_blocked() -> None:
    done = subprocess.run([sys.executable, "-c", BLOCKED], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok blurdiff,morph,xdog"


def test_the_torch_form_of_morph_is_still_reachable_from_the_package() -> None:
    import senga.classical as classical
    from senga.classical.morph_torch import MorphLines, morph_lines_torch

    assert classical.morph_lines_torch is morph_lines_torch and classical.MorphLines is MorphLines
