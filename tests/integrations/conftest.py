"""Fixtures for the integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread() -> Iterator[None]:
    """Run the tiny forwards of these tests on one thread (restored afterwards).

    On 32-64 px inputs intra-op threads only add synchronisation; on a busy
    2-core machine a forward took 0.6 s with 2 threads and 0.05 s with 1.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
