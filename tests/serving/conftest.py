"""Fixtures for the serving tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tiny_extractor():
    """A LineExtractor on an untrained senga network (fast on tiny images)."""
    import torch

    from senga.extract import LineExtractor
    from senga.models import create_model

    torch.manual_seed(0)
    return LineExtractor.from_model(create_model("senga"), device="cpu")
