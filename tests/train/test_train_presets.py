"""The five presets match docs/paper.md, "Compared methods"; overrides and their errors."""

from __future__ import annotations

import pytest

from senga.train import PRESETS, get_preset
from senga.train.config import ConfigError


def test_the_five_methods() -> None:
    # the paper's five come first; later entries are options next to them (docs/hardcases.md)
    assert list(PRESETS)[:5] == ["ours", "wo-attn", "dice", "pix2pix", "exp5"]
    ours, wo, dice, p2p, exp5 = (get_preset(n) for n in list(PRESETS)[:5])
    assert (ours.model, ours.loss, ours.loss_params["indicator"], ours.loss_params["cancellation"]) == (
        "senga",
        "paper",
        "linear:0.1,0.9",
        True,
    )
    assert (ours.loss_params["f1_weight"], ours.loss_params["bce_weight"]) == (1.0, 0.001)
    assert (wo.model, wo.loss, wo.loss_params) == ("senga-noattn", "paper", ours.loss_params)
    assert (dice.model, dice.loss, dice.loss_params["bce_weight"]) == ("senga-noattn", "dice", 0.001)
    assert (p2p.model, p2p.discriminator, p2p.lambda_l1, p2p.lr, p2p.betas) == (
        "pix2pix-unet",
        "patchgan",
        100.0,
        2e-4,
        (0.5, 0.999),
    )
    assert (exp5.model, exp5.model_config, exp5.loss) == ("senga-noattn", {"morph_input": True}, "laplacian")
    for c in (ours, wo, dice, exp5):  # the paper's training setup
        assert (c.batch, c.crop, c.lr, c.betas) == (15, 256, 1e-3, (0.9, 0.999))


def test_loss_shortcuts_and_fields() -> None:
    c = get_preset("ours", indicator="power:100", cancellation="off", bce_weight=0.01, crop=64, steps=5)
    assert c.loss_params == {
        "indicator": "power:100",
        "cancellation": False,
        "f1_weight": 1.0,
        "bce_weight": 0.01,
    }
    assert (c.crop, c.steps, c.epochs) == (64, 5, None)
    c = get_preset("exp5", **{"loss_params.alpha": 2.0})
    assert c.loss_params == {"alpha": 2.0}


def test_presets_are_independent_copies() -> None:
    get_preset("ours").loss_params["indicator"] = "exact"
    assert get_preset("ours").loss_params["indicator"] == "linear:0.1,0.9"


def test_unknown_preset_lists_valid_ones() -> None:
    with pytest.raises(
        ConfigError, match=r"unknown preset 'ourz' \(valid: ours, wo-attn, dice, pix2pix, exp5[,)]"
    ):
        get_preset("ourz")


def test_loss_shortcut_the_preset_does_not_take() -> None:
    with pytest.raises(
        ConfigError, match="preset 'dice' trains with loss 'dice', which does not take 'indicator'"
    ):
        get_preset("dice", indicator="linear:0.1,0.9")
    with pytest.raises(ConfigError, match="unknown config field 'nope'"):
        get_preset("ours", nope=1)


def test_attention_parameters_get_their_own_learning_rate() -> None:
    """Preset ours: the 9+1 attention parameters are a separate Adam group at 100x lr."""
    from senga.models import create_model
    from senga.train.steps import make_optimizer

    cfg = get_preset("ours", data=["synth"], steps=1)
    model = create_model(cfg.model, **cfg.model_config)
    groups = make_optimizer(model, cfg).param_groups
    n_attention = sum(p.numel() for p in model.attention.parameters())
    assert [sum(p.numel() for p in g["params"]) for g in groups][1] == n_attention == 11
    assert groups[0]["lr"] == cfg.lr and groups[1]["lr"] == pytest.approx(100 * cfg.lr)
    # Networks without attention: one group, the paper's lr.
    cfg = get_preset("wo-attn", data=["synth"], steps=1)
    groups = make_optimizer(create_model(cfg.model, **cfg.model_config), cfg).param_groups
    assert len(groups) == 1 and groups[0]["lr"] == cfg.lr
