"""``senga info [MODEL]``: architecture summary of a model (config, parameters, FLOPs)."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

from senga.weights import BUNDLED_MODELS, MODEL_NAMES_HELP, is_bundled, resolve_model_dir

NAME = "info"
HELP = "describe a model: config, parameter count, FLOPs per megapixel"

DEFAULT_MODEL = "default"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "model",
        nargs="?",
        default=DEFAULT_MODEL,
        metavar="MODEL",
        help="a registry name (senga, senga-noattn, pix2pix-unet, patchgan), a saved model "
        f"folder (write ./NAME for a folder named like a registry entry), or {MODEL_NAMES_HELP}; "
        "default: default",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def describe(model_arg: str) -> dict[str, Any]:
    """Summary dict of ``model_arg`` (registry name, bundled model name or a model folder)."""
    from senga.models import (
        count_parameters,
        create_model,
        flops_per_megapixel,
        from_pretrained,
        list_models,
        model_config,
        model_summary,
        read_model_config,
    )

    if model_arg in list_models():
        model = create_model(model_arg)
        source = "registry (freshly initialised weights)"
        version = None
    else:
        if not is_bundled(model_arg) and not Path(model_arg).exists():
            raise ValueError(
                f"{model_arg}: neither a registry model ({', '.join(list_models())}), "
                f"a bundled model ({', '.join(BUNDLED_MODELS)}), nor an existing model folder"
            )
        model = from_pretrained(model_arg)
        version = read_model_config(model_arg).get("senga_version")
        source = str(resolve_model_dir(model_arg))
    config = dataclasses.asdict(model_config(model))
    name = config.pop("name")
    return {
        "name": name,
        "summary": model_summary(name),
        "source": source,
        "senga_version": version,
        "config": config,
        "parameters": {
            "total": count_parameters(model),
            "trainable": count_parameters(model, trainable_only=True),
        },
        "flops_per_megapixel": int(round(flops_per_megapixel(model))),
    }


def run(args: argparse.Namespace) -> int:
    info = describe(args.model)
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    params = info["parameters"]
    lines = [
        f"model       {info['name']}: {info['summary']}",
        f"source      {info['source']}"
        + (f" (saved by senga {info['senga_version']})" if info["senga_version"] else ""),
        "config",
        *(f"  {key:<16}{value!r}" for key, value in info["config"].items()),
        f"parameters  {params['total']:,} total, {params['trainable']:,} trainable",
        f"FLOPs       {info['flops_per_megapixel'] / 1e9:.1f} GFLOP per megapixel "
        "(convolutions, one forward pass)",
    ]
    print("\n".join(lines))
    return 0
