"""Argparse value types and option groups shared by the subcommands (one home; messages say what is expected).

Example::

    parser.add_argument("--workers", type=int_at_least(1))
    parser.add_argument("--gamma", type=float_above(0.0))
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from senga.extract.precision import PRECISIONS
from senga.weights import MODEL_NAMES_HELP


def int_at_least(low: int) -> Callable[[str], int]:
    """An integer >= ``low``; otherwise argparse prints ``must be >= LOW, got TEXT``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be >= {low}, got {value}")
        return value

    return parse


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def float_at_least(low: float) -> Callable[[str], float]:
    """A number >= ``low`` (NaN refused)."""

    def parse(text: str) -> float:
        value = _float(text)
        if not value >= low:
            raise argparse.ArgumentTypeError(f"must be >= {low:g}, got {text}")
        return value

    return parse


def float_above(low: float) -> Callable[[str], float]:
    """A number > ``low`` (NaN refused)."""

    def parse(text: str) -> float:
        value = _float(text)
        if not value > low:
            raise argparse.ArgumentTypeError(f"must be > {low:g}, got {text}")
        return value

    return parse


def port(text: str) -> int:
    """A TCP port number, 0..65535 (0: any free port)."""
    value = int_at_least(0)(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be in 0..65535, got {value}")
    return value


def on_off(text: str) -> bool:
    """``on/true/yes/1`` or ``off/false/no/0``."""
    low = text.strip().lower()
    if low in ("on", "true", "yes", "1"):
        return True
    if low in ("off", "false", "no", "0"):
        return False
    raise argparse.ArgumentTypeError(f"expected on or off, got {text!r}")


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """``--model``, ``--device``, ``--half``, ``--backend``, ``--ink-floor``: how a command that runs the model loads it
    (``senga extract`` and ``senga serve``; values go to ``LineExtractor.from_pretrained``)."""
    parser.add_argument(
        "--model",
        default="default",
        metavar="default|fast|PATH",
        help=f"{MODEL_NAMES_HELP}, or a model folder (model.safetensors + config.json; for --backend "
        "onnxruntime its model.onnx, or a .onnx file); default: default",
    )
    parser.add_argument(
        "--device", default="auto", choices=("auto", "cpu", "cuda"), help="where the model runs"
    )
    parser.add_argument("--half", action="store_true", help="float16 inference (CUDA only)")
    parser.add_argument(
        "--backend",
        default="auto",
        choices=("auto", "torch", "onnxruntime"),
        help="what runs the model: torch, or onnxruntime (no PyTorch needed); "
        "auto: torch when it is installed (docs/extraction.md)",
    )
    parser.add_argument(
        "--ink-floor",
        type=float_at_least(0.0),
        default=None,
        metavar="X",
        help="output ink below X (0..1) becomes paper; default: the model's own (bundled: 0.0625, "
        "i.e. luminance above ~239 is white); 0 keeps the faintest haze. torch backend only",
    )
    parser.add_argument(
        "--precision",
        default="auto",
        choices=PRECISIONS,
        help="arithmetic of the torch backend: bf16 autocast needs a CPU with bf16 (else fp32); "
        "auto: bf16 only where it was measured faster and within 1/255 (docs/fast_model.md)",
    )
