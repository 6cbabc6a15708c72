"""The paper's five compared methods (docs/paper.md, "Compared methods and Table 1") as presets.

===========  ==============================================================
preset       what it trains
===========  ==============================================================
``ours``     ``senga`` (attention), loss 1/F1~ + 0.001 BCE, f_linear (0.1, 0.9), cancellation on
``wo-attn``  ``senga-noattn``, the same loss
``dice``     ``senga-noattn``, Deng et al.'s loss: 1/dice + 0.001 BCE
``pix2pix``  Isola et al.: ``pix2pix-unet`` + 70x70 ``patchgan``, vanilla cGAN + 100 L1, Adam 2e-4 / beta1 0.5
``exp5``     Matsuda et al.: ``senga-noattn`` fed RGB + a morphological line map, Laplacian-weighted per-pixel loss
===========  ==============================================================

Every preset keeps the paper's data and optimisation defaults (batch 15, crop
256, Adam betas (0.9, 0.999), lr 1e-3) unless its method says otherwise.

Example::

    cfg = get_preset("ours", data=["synth"], steps=2000, indicator="power:100")
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from senga.train.config import PAPER_LOSS_PARAMS, ConfigError, TrainConfig, apply_overrides


def ours() -> TrainConfig:
    """The paper's method: attention network, 1/F1~ + 0.001 BCE, f_linear (0.1, 0.9), cancellation.

    One choice of ours on top: the attention modules' 11 parameters learn 100x
    faster (``attention_lr_mult``). From their [0, 1] init the sigmoid fuse needs
    weights of order +-10, which Adam at 1e-3 reaches only after ~10k steps; at
    1x a 300-step run stayed at val F1 0.10, at 100x it reached 0.34
    (docs/training.md).
    """
    return TrainConfig(
        model="senga", loss="paper", loss_params=dict(PAPER_LOSS_PARAMS), attention_lr_mult=100.0
    )


def wo_attn() -> TrainConfig:
    """ "W/o attn": the paper's loss on the network without the attention modules."""
    return TrainConfig(model="senga-noattn", loss="paper", loss_params=dict(PAPER_LOSS_PARAMS))


def dice() -> TrainConfig:
    """ "Dice": Deng et al.'s loss (1/dice + 0.001 BCE), network without attention."""
    return TrainConfig(
        model="senga-noattn", loss="dice", loss_params={"dice_weight": 1.0, "bce_weight": 0.001}
    )


def pix2pix() -> TrainConfig:
    """ "Pix2pix": Isola et al.'s conditional GAN, with their optimiser settings.

    Generator ``pix2pix-unet`` (U-Net 256), discriminator ``patchgan`` (70x70, sees
    ``concat(rgb, ink)``); G minimises BCE(D(x, G(x)), 1) + 100 * L1, D minimises
    (BCE(D(x, y), 1) + BCE(D(x, G(x)), 0)) / 2; Adam lr 2e-4, betas (0.5, 0.999)
    for both. The loss is fixed by the method (``loss="pix2pix"``, no parameters).
    """
    return TrainConfig(
        model="pix2pix-unet",
        discriminator="patchgan",
        lambda_l1=100.0,
        loss="pix2pix",
        loss_params={},
        lr=2e-4,
        betas=(0.5, 0.999),
    )


def exp5() -> TrainConfig:
    """ "Exp 5": Matsuda et al.'s best-RMSE setting as docs/paper.md describes it.

    * Input: the model adds a morphological line-extraction map
      (:mod:`senga.classical` ``morph``) as a 4th channel itself
      (``model_config.morph_input = True``), so callers still pass RGB.
    * Loss: ``"laplacian"``, a per-pixel loss weighted by a map from the Laplacian
      of the grayscale input (:func:`senga.losses.laplacian_weight_map`), which
      emphasises low-contrast lines. Its exact form is the one documented in
      :mod:`senga.losses`; its defaults are used.
    * Network: ``senga-noattn`` (Matsuda et al. have no attention modules).
    """
    return TrainConfig(
        model="senga-noattn", model_config={"morph_input": True}, loss="laplacian", loss_params={}
    )


def ours_hardcases() -> TrainConfig:
    """``ours`` plus the options for the paper's open problems (docs/hardcases.md), not the paper's.

    The same network, loss and optimiser, with 3 zero-initialised local-contrast
    input channels (the paper's "enhance local contrast") and one dilated
    residual block in the bottleneck (its "multi-scale features"), which starts
    as the identity. Fine-tune from a pretrained model widened with
    :func:`senga.models.extend.widen_pretrained` (``senga train --init DIR``):
    step 0 then computes exactly that model.
    """
    config = ours()
    config.model_config = {"contrast_input": True, "dilated_blocks": 1}
    return config


def fast() -> TrainConfig:
    """The bundled ``fast`` model: ``senga`` at width 0.47 (~1/4 of the FLOPs), distilled from ``default``.

    Not one of the paper's methods: the student starts as the teacher pruned
    to its largest-norm channels and learns the teacher's raw output (soft
    BCE) plus the paper's loss on the ground truth (``senga.train.distill``,
    docs/fast_model.md).
    """
    from senga.train.distill import fast_preset_overrides

    return TrainConfig(
        model="senga",
        model_config=fast_preset_overrides(),
        teacher="default",
        loss="paper",
        loss_params=dict(PAPER_LOSS_PARAMS),
        attention_lr_mult=10.0,
        lr=3e-4,
        lr_schedule="cosine",
        min_lr_ratio=0.1,
        batch=8,
        channels_last=True,
    )


#: Preset name -> factory of its :class:`TrainConfig`.
PRESETS: dict[str, Callable[[], TrainConfig]] = {
    "ours": ours,
    "wo-attn": wo_attn,
    "dice": dice,
    "pix2pix": pix2pix,
    "exp5": exp5,
    "ours-hardcases": ours_hardcases,
    "fast": fast,
}

#: Short override names (CLI flags, the bench's ablations) -> loss parameter they set.
LOSS_SHORTCUTS: dict[str, str] = {
    "indicator": "indicator",
    "cancellation": "cancellation",
    "f1_weight": "f1_weight",
    "bce_weight": "bce_weight",
    "dice_weight": "dice_weight",
}


def get_preset(name: str, **overrides: Any) -> TrainConfig:
    """The config of preset ``name`` with ``overrides`` applied.

    Overrides are :class:`TrainConfig` field names, dotted ``FIELD.KEY`` paths
    into dict fields (pass them as ``**{"loss_params.x": 1}``), or the loss
    shortcuts ``indicator`` (``"linear:x0,y0"`` / ``"power:gamma"``),
    ``cancellation``, ``f1_weight``, ``bce_weight``, ``dice_weight``. A loss
    shortcut the preset's loss does not take is an error.

    Raises:
        ConfigError: unknown preset (lists the valid ones), unknown field, bad value.
    """
    if name not in PRESETS:
        raise ConfigError(f"preset: unknown preset {name!r} (valid: {', '.join(PRESETS)})")
    config = PRESETS[name]()
    expanded: dict[str, Any] = {}
    for key, value in overrides.items():
        if key in LOSS_SHORTCUTS:
            param = LOSS_SHORTCUTS[key]
            if param not in config.loss_params:
                takes = ", ".join(config.loss_params) or "none"
                raise ConfigError(
                    f"{key}: preset {name!r} trains with loss {config.loss!r}, which does not take "
                    f"{param!r} (its parameters: {takes})"
                )
            expanded[f"loss_params.{param}"] = value
        else:
            expanded[key] = value
    return apply_overrides(config, expanded)
