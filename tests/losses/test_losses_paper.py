"""The paper's loss 1/F1~ + 0.001 BCE: hand value, gradcheck, extremes, the gradient eq. 9 exists for."""

from __future__ import annotations

import functools
import math

import pytest
import torch

from senga.losses import PaperLoss, binary_cross_entropy, exact_indicator, f_linear, paper_loss

G = torch.tensor([[1.0, 0.5], [0.0, 0.0]], dtype=torch.float64)
H = torch.tensor([[0.5, 0.5], [0.25, 0.0]], dtype=torch.float64)


def test_hand_computed_2x2():
    # P~ = 51/101, R = 3/4 (see test_losses_soft_metrics); 1/F1~ = (R + P~) / (2 R P~)
    p, r = 51 / 101, 0.75
    inv_f1 = (r + p) / (2 * r * p)
    # BCE per pixel: -log .5, log 2, -log .75, -log(1 - 1e-6) (H = 0 clamped to 1e-6)
    bce = (2 * math.log(2) - math.log(0.75) - math.log1p(-1e-6)) / 4
    assert binary_cross_entropy(H, G).item() == pytest.approx(bce)
    assert paper_loss(H, G, smooth=0.0).item() == pytest.approx(inv_f1 + 1e-3 * bce)
    assert paper_loss(H, G, smooth=0.0, f1_weight=2.0, bce_weight=0.5).item() == pytest.approx(
        2 * inv_f1 + 0.5 * bce
    )
    assert paper_loss(H, G, smooth=0.0, bce_weight=0.0).item() == pytest.approx(inv_f1)


def test_perfect_binary_prediction_costs_f1_weight():
    g = torch.zeros(2, 1, 4, 4)
    g[..., ::2] = 1.0
    # 1/F1~ = 1; BCE = -log(1 - 1e-6) ~ 1e-6 (clamped H)
    assert paper_loss(g.clone(), g).item() == pytest.approx(1.0, abs=1e-8)


@pytest.mark.parametrize("reduction", ["batch", "image", "none"])
def test_gradcheck(smooth_pair, reduction):
    h, g = smooth_pair
    for indicator in (f_linear, "power:100"):
        for cancellation in (True, False):
            f = functools.partial(
                paper_loss,
                gt=g,
                indicator=indicator,
                cancellation=cancellation,
                bce_weight=0.5,
                reduction=reduction,
            )
            assert torch.autograd.gradcheck(f, (h,))


@pytest.mark.parametrize("reduction", ["batch", "image"])
@pytest.mark.parametrize("indicator", ["linear:0.1,0.9", "power:100", "exact"])
def test_finite_loss_and_gradients_on_all_white_and_all_black_maps(extreme_pairs, reduction, indicator):
    for label, h, g in extreme_pairs:
        h.requires_grad_()
        loss = paper_loss(h, g, indicator=indicator, reduction=reduction)
        loss.backward()
        assert torch.isfinite(loss), label
        assert torch.isfinite(h.grad).all(), label
        # bounded by about the pixel count (smooth = 1): 32 ink pixels per side at most
        assert loss.item() <= 32, label


def test_gradient_where_h_has_ink_and_g_has_none(smooth_pair):
    """Eq. 9's reason: with f_linear, ink predicted on paper (H > 0, G = 0) gets pushed down;
    with the exact indicator [H > 0] that pixel's gradient is zero (P behaves like R)."""
    h, g = smooth_pair
    false_ink = (g == 0) & (h > 0)
    assert false_ink.sum() == 12

    paper_loss(h, g, bce_weight=0.0).backward()  # the 1/F1~ term alone
    assert (h.grad[false_ink] > 0).all()  # descent lowers H there
    h.grad = None

    paper_loss(h, g, indicator=exact_indicator, bce_weight=0.0).backward()
    assert (h.grad[false_ink] == 0).all()
    assert (h.grad[~false_ink] != 0).all()  # recall still pulls everywhere else
    h.grad = None

    paper_loss(h, g).backward()  # the full loss (BCE included) also pushes there
    assert (h.grad[false_ink] > 0).all()


def test_reductions(smooth_pair):
    h, g = smooth_pair
    h = h.detach()
    per = paper_loss(h, g, reduction="none")
    assert per.shape == (2,)
    assert per[1].item() == pytest.approx(paper_loss(h[1:], g[1:]).item())
    assert paper_loss(h, g, reduction="image").item() == pytest.approx(per.mean().item())
    assert paper_loss(h, g, reduction="batch").item() != pytest.approx(per.mean().item())


def test_function_equals_module(smooth_pair):
    h, g = smooth_pair
    h = h.detach()
    kwargs = dict(cancellation=False, f1_weight=2.0, bce_weight=0.1, reduction="image")
    module = PaperLoss(indicator="linear:0.05,0.95", **kwargs)
    expected = paper_loss(h, g, indicator=functools.partial(f_linear, x0=0.05, y0=0.95), **kwargs)
    assert module(h, g).item() == pytest.approx(expected.item())
    assert PaperLoss(indicator=exact_indicator)(h, g).item() == pytest.approx(
        paper_loss(h, g, indicator=exact_indicator).item()
    )
    assert PaperLoss.needs_input is False
    assert "indicator='linear:0.05,0.95'" in repr(module)


def test_errors():
    with pytest.raises(ValueError, match="unknown reduction 'mean'"):
        PaperLoss(reduction="mean")
    with pytest.raises(ValueError, match="unknown indicator 'cubic'"):
        PaperLoss(indicator="cubic")
    with pytest.raises(ValueError, match="shapes differ"):
        paper_loss(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 2, 3))
