"""Fixtures for the extract tests."""

from __future__ import annotations

import pytest
from extract_helpers import calibrated_generator
from torch import nn


@pytest.fixture(scope="session")
def generator() -> nn.Module:
    """A senga-noattn generator with Kaiming-init convs and calibrated batch norms (see helper)."""
    return calibrated_generator()
