"""Fixtures for the extract tests.

Torch is imported inside the fixture, not here, so that the torch-free tests of
this folder (``test_onnx_backend.py``) run in an install without PyTorch.
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def generator() -> Any:
    """A senga-noattn generator with Kaiming-init convs and calibrated batch norms (see helper)."""
    pytest.importorskip("torch", reason="the torch backend needs PyTorch (pip install -e '.[torch]')")
    from extract_helpers import calibrated_generator

    return calibrated_generator()
