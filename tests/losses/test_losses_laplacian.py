"""Exp 5's Laplacian-weighted loss: weight map by hand, weighted MSE by hand, gradcheck, module."""

from __future__ import annotations

import functools

import pytest
import torch

from senga.losses import LaplacianWeightedLoss, laplacian_weight_map, laplacian_weighted_loss


def test_weight_map_by_hand():
    # 3x3 white image, centre gray 0.95 (a 5 % faint dot).
    rgb = torch.ones(1, 3, 3, 3, dtype=torch.float64)
    rgb[..., 1, 1] = 0.95
    w = laplacian_weight_map(rgb, alpha=4.0, tau=0.1)
    assert w.shape == (1, 1, 3, 3)
    # centre: |4(1) - 4(.95)| = .2 -> saturates at tau -> 1 + 4
    # edge-adjacent (replicate padding): |3(1) + .95 - 4| = .05 -> 1 + 4(.5) = 3
    # corners: all neighbours white -> 1
    expected = torch.tensor([[1.0, 3.0, 1.0], [3.0, 5.0, 3.0], [1.0, 3.0, 1.0]], dtype=torch.float64)
    torch.testing.assert_close(w[0, 0], expected)
    # flat colour: weight 1 everywhere
    assert torch.equal(laplacian_weight_map(torch.full((2, 3, 4, 5), 0.3)), torch.ones(2, 1, 4, 5))


def test_weight_map_uses_luma():
    # a pure red centre pixel on black: gray .299 -> |-4(.299)| = 1.196 -> saturated
    rgb = torch.zeros(1, 3, 3, 3, dtype=torch.float64)
    rgb[0, 0, 1, 1] = 1.0
    w = laplacian_weight_map(rgb, alpha=1.0, tau=10.0)
    assert w[0, 0, 1, 1].item() == pytest.approx(1 + 4 * 0.299 / 10)
    assert w[0, 0, 0, 1].item() == pytest.approx(1 + 0.299 / 10)


def test_weighted_mse_by_hand():
    h = torch.tensor([[[[1.0, 0.0], [0.5, 0.5]]]])
    g = torch.zeros(1, 1, 2, 2)
    w = torch.tensor([[[[3.0, 1.0], [1.0, 1.0]]]])
    # (3(1) + 0 + .25 + .25) / 6
    assert laplacian_weighted_loss(h, g, w).item() == pytest.approx(3.5 / 6)
    # unit weights: plain MSE
    assert laplacian_weighted_loss(h, g, torch.ones_like(w)).item() == pytest.approx(1.5 / 4)


@pytest.mark.parametrize("reduction", ["batch", "image", "none"])
def test_gradcheck(smooth_pair, reduction):
    h, g = smooth_pair
    w = 1 + torch.rand_like(g)
    f = functools.partial(laplacian_weighted_loss, gt=g, weight=w, reduction=reduction)
    assert torch.autograd.gradcheck(f, (h,))


def test_module_equals_function_and_weights_carry_no_gradient(smooth_pair):
    h, g = smooth_pair
    rgb = torch.rand(2, 3, 5, 6, dtype=torch.float64, requires_grad=True)
    module = LaplacianWeightedLoss(alpha=2.0, tau=0.2, reduction="image")
    loss = module(h, g, rgb)
    expected = laplacian_weighted_loss(h, g, laplacian_weight_map(rgb.detach(), 2.0, 0.2), reduction="image")
    assert loss.item() == pytest.approx(expected.item())
    loss.backward()
    assert rgb.grad is None and h.grad is not None
    assert LaplacianWeightedLoss.needs_input is True
    per = laplacian_weighted_loss(h.detach(), g, torch.ones_like(g), reduction="none")
    assert per.shape == (2,)


def test_finite_on_all_white_and_all_black_maps(extreme_pairs):
    rgb = torch.ones(2, 3, 4, 4)
    for label, h, g in extreme_pairs:
        h.requires_grad_()
        loss = LaplacianWeightedLoss()(h, g, rgb)
        loss.backward()
        assert torch.isfinite(loss) and torch.isfinite(h.grad).all(), label


def test_errors():
    with pytest.raises(ValueError, match=r"rgb shaped \(N, 3, H, W\), got \(1, 1, 2, 2\)"):
        laplacian_weight_map(torch.zeros(1, 1, 2, 2))
    with pytest.raises(
        ValueError, match=r"rgb \(1, 3, 2, 2\) must be \(N, 3, H, W\) matching pred \(1, 1, 3, 3\)"
    ):
        LaplacianWeightedLoss()(torch.zeros(1, 1, 3, 3), torch.zeros(1, 1, 3, 3), torch.zeros(1, 3, 2, 2))
    with pytest.raises(ValueError, match="weight shape"):
        laplacian_weighted_loss(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 2, 2), torch.ones(1, 1, 2, 3))
    with pytest.raises(ValueError, match="alpha >= 0 and tau > 0"):
        LaplacianWeightedLoss(tau=0.0)
