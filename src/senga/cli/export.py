"""``senga export MODEL_DIR|default|fast [-o model.onnx]``: a saved model as ONNX, for the onnxruntime backend.

Thin over :func:`senga.export.export_pretrained`. Needs PyTorch and the
``onnx`` package (``pip install -e '.[torch]'``). Regenerate the ONNX file
shipped with senga after replacing the bundled weights::

    senga export default -o src/senga/weights/default/model.onnx
"""

from __future__ import annotations

import argparse
import sys

from senga.cli.arg_types import float_at_least
from senga.weights import MODEL_NAMES_HELP

NAME = "export"
HELP = "export a model folder (or the bundled model) to ONNX for the torch-free onnxruntime backend"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "model",
        metavar="MODEL_DIR|default|fast",
        help=f"model folder (model.safetensors + config.json), or {MODEL_NAMES_HELP}",
    )
    parser.add_argument(
        "-o",
        "--out",
        metavar="FILE.onnx",
        help="output file (replaced if it exists; written atomically); default: MODEL_DIR/model.onnx",
    )
    parser.add_argument(
        "--ink-floor",
        type=float_at_least(0.0),
        default=None,
        metavar="X",
        help="bake this output floor into the graph (ink below X is paper); default: the model's own",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")


def run(args: argparse.Namespace) -> int:
    from senga.runtime import TORCH_MISSING, torch_available

    if not torch_available():
        raise ValueError(f"senga export {TORCH_MISSING}")
    from senga.export import export_pretrained

    path = export_pretrained(args.model, args.out, ink_floor=args.ink_floor)
    if not args.quiet:
        size = path.stat().st_size / 1e6
        print(
            f"senga: wrote {path} ({size:.1f} MB); use it with `senga extract --backend onnxruntime "
            f"--model {path}`",
            file=sys.stderr,
        )
    return 0
