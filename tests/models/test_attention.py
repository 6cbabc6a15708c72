"""Darkening / brightening attention and the fuse, checked against hand-computed values."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from senga.models import (
    AttentionFusion,
    BrighteningAttention,
    DarkeningAttention,
    attention_fuse,
    attention_map,
)


def _sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


def _lrelu(v: float) -> float:
    return v if v >= 0 else 0.2 * v


def _hand_map(x: float, w1: float, b1: float, w2: float, b2: float) -> float:
    return _sigmoid(w2 * _lrelu(w1 * (2 * x - 1) + b1) + b2)


def _set(conv: torch.nn.Conv2d, weights: list[float], bias: float) -> None:
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(weights, dtype=conv.weight.dtype).view_as(conv.weight))
        conv.bias.fill_(bias)


H_VALUES = [0.0, 0.1, 0.25, 0.5, 0.9, 1.0]


def _h() -> torch.Tensor:
    return torch.tensor(H_VALUES, dtype=torch.float64).view(1, 1, 2, 3)


def test_darkening_attention_matches_hand_formula() -> None:
    att = DarkeningAttention().double()
    _set(att.conv1, [2.0], -0.5)
    _set(att.conv2, [3.0], 0.1)
    got = att(_h()).flatten().tolist()
    want = [_hand_map(h, 2.0, -0.5, 3.0, 0.1) for h in H_VALUES]
    assert max(abs(g - w) for g, w in zip(got, want)) < 1e-12
    # e.g. H = 0.25: 2*(2*0.25-1) - 0.5 = -1.5 -> LReLU -0.3 -> 3*(-0.3)+0.1 = -0.8
    assert abs(got[2] - _sigmoid(-0.8)) < 1e-12


def test_brightening_attention_applies_to_one_minus_h() -> None:
    att = BrighteningAttention().double()
    _set(att.conv1, [1.5], 0.2)
    _set(att.conv2, [0.7], -0.3)
    got = att(_h()).flatten().tolist()
    want = [_hand_map(1.0 - h, 1.5, 0.2, 0.7, -0.3) for h in H_VALUES]
    assert max(abs(g - w) for g, w in zip(got, want)) < 1e-12


def test_fusion_matches_hand_formula() -> None:
    fusion = AttentionFusion().double()
    _set(fusion.darkening.conv1, [2.0], -0.5)
    _set(fusion.darkening.conv2, [3.0], 0.1)
    _set(fusion.brightening.conv1, [1.5], 0.2)
    _set(fusion.brightening.conv2, [0.7], -0.3)
    _set(fusion.fuse, [0.8, -0.6], 0.05)
    got = fusion(_h()).flatten().tolist()
    for h, g in zip(H_VALUES, got):
        m_d = _hand_map(h, 2.0, -0.5, 3.0, 0.1)
        m_b = _hand_map(1 - h, 1.5, 0.2, 0.7, -0.3)
        assert abs(g - _sigmoid(0.8 * m_d * h - 0.6 * m_b * (1 - h) + 0.05)) < 1e-12


def test_elementwise_form_equals_the_1x1_convolutions() -> None:
    """The functions are written elementwise for speed; they must equal the paper's 1x1 convs."""
    torch.manual_seed(1)
    f64 = torch.float64
    x = torch.rand(2, 1, 5, 7, dtype=f64)
    w1, w2 = torch.rand(1, 1, 1, 1, dtype=f64), torch.randn(1, 1, 1, 1, dtype=f64)
    b1, b2 = torch.randn(1, dtype=f64), torch.randn(1, dtype=f64)
    conv_form = torch.sigmoid(F.conv2d(F.leaky_relu(F.conv2d(2 * x - 1, w1, b1), 0.2), w2, b2))
    torch.testing.assert_close(attention_map(x, w1, b1, w2, b2), conv_form)

    m_d, m_b = torch.rand_like(x), torch.rand_like(x)
    v, c = torch.randn(1, 2, 1, 1, dtype=f64), torch.randn(1, dtype=f64)
    conv_fuse = torch.sigmoid(F.conv2d(torch.cat([m_d * x, m_b * (1 - x)], 1), v, c))
    torch.testing.assert_close(attention_fuse(x, m_d, m_b, v, c), conv_fuse)


def test_initial_maps_emphasise_lines_and_paper() -> None:
    """Init (weights in [0, 1], zero biases): M_d >= 0.5 on ink (H=1), M_b >= 0.5 on paper."""
    fusion = AttentionFusion()
    ink, paper = torch.ones(1, 1, 1, 1), torch.zeros(1, 1, 1, 1)
    assert fusion.darkening(ink) >= 0.5 >= fusion.darkening(paper)
    assert fusion.brightening(paper) >= 0.5 >= fusion.brightening(ink)


def test_attention_gradcheck() -> None:
    fusion = AttentionFusion().double()
    h = torch.rand(1, 1, 3, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(fusion, (h,))
