"""Suite-wide settings and fixtures.

Shared helpers live in ``tests/helpers/`` (on the import path through pytest's
``pythonpath`` setting): ``images`` (small pictures, files and encoded bytes),
``pairs`` (paired training folders), ``image_kinds`` (every kind of image file)
and ``extract_helpers`` (a generator with non-trivial weights). This file stays
torch-free: the torch-free install runs tests from this suite too.

Tiers: ``pytest -m "not slow"`` is the fast tier for day-to-day work; the full
suite (what CI runs) includes the tests marked ``slow``.
"""

from __future__ import annotations

import importlib.util
import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, give each worker its share of the cores for PyTorch's intra-op threads.

    ``-n 2`` on 2 cores with PyTorch's default of one thread per core runs 4 spinning threads on 2
    cores; on this suite's tiny networks that made a 4-step training run about 10x slower (2.2 s with
    1 thread, 15-28 s with 2, on a busy 2-core machine). Subprocesses inherit it as ``OMP_NUM_THREADS``
    unless that is set already. A run without xdist keeps PyTorch's default.
    """
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 0)
    if workers < 1:
        return
    threads = max(1, (os.cpu_count() or 1) // workers)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    if importlib.util.find_spec("torch") is not None:
        import torch

        torch.set_num_threads(threads)
