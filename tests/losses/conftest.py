"""Shared inputs for the loss tests."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture
def smooth_pair():
    """float64 (2, 1, 5, 6) H and G away from every kink.

    H in (0.2, 0.8) (clear of f_linear's knots at 0, 0.1, 1 and of H = 0);
    G in (0.2, 0.8) except a few pixels deliberately 0 (no ground-truth ink).
    H == G ties (min/max's kink) have probability 0.
    """
    gen = torch.Generator().manual_seed(0)
    h = 0.2 + 0.6 * torch.rand(2, 1, 5, 6, generator=gen, dtype=torch.float64)
    g = 0.2 + 0.6 * torch.rand(2, 1, 5, 6, generator=gen, dtype=torch.float64)
    g[:, :, 1:3, 2:5] = 0.0
    return h.requires_grad_(), g


@pytest.fixture
def extreme_pairs():
    """All-white / all-black H and G, every combination: (label, H, G)."""
    white, black = torch.zeros(2, 1, 4, 4), torch.ones(2, 1, 4, 4)
    return [
        (f"H={hn},G={gn}", h.clone(), g.clone())
        for hn, h in (("white", white), ("black", black))
        for gn, g in (("white", white), ("black", black))
    ]
