"""Networks: the paper's generator (+ attention), the pix2pix baseline, registry, save/load.

Quick start::

    from senga.models import create_model, save_pretrained, from_pretrained

    model = create_model("senga")  # (N, 3, H, W) in [0, 1] -> (N, 1, H, W) ink
    save_pretrained(model, "runs/x/model")  # model.safetensors + config.json
    model = from_pretrained("runs/x/model")  # eval mode

Layers, shapes and the choices the paper leaves open: ``docs/network.md``.
"""

from __future__ import annotations

from senga.models.attention import (
    AttentionFusion,
    BrighteningAttention,
    DarkeningAttention,
    attention_fuse,
    attention_map,
)
from senga.models.config import GeneratorConfig, PatchGANConfig, Pix2PixConfig, model_config
from senga.models.generator import SengaGenerator
from senga.models.pix2pix import PatchGAN, Pix2PixUNet
from senga.models.pretrained import (
    PretrainedError,
    bundled_model_dir,
    from_pretrained,
    read_model_config,
    save_pretrained,
)
from senga.models.registry import config_fields, create_model, list_models, model_summary
from senga.models.summary import count_flops, count_parameters, flops_per_megapixel

__all__ = [
    "AttentionFusion",
    "BrighteningAttention",
    "DarkeningAttention",
    "GeneratorConfig",
    "PatchGAN",
    "PatchGANConfig",
    "Pix2PixConfig",
    "Pix2PixUNet",
    "PretrainedError",
    "SengaGenerator",
    "attention_fuse",
    "attention_map",
    "bundled_model_dir",
    "config_fields",
    "count_flops",
    "count_parameters",
    "create_model",
    "flops_per_megapixel",
    "from_pretrained",
    "list_models",
    "model_config",
    "model_summary",
    "read_model_config",
    "save_pretrained",
]
