"""``senga extract INPUT... [-o OUT]``: line art for files, folders and globs.

Thin over :mod:`senga.extract`: builds an extractor (the bundled model, a
model folder, or a classical method), plans outputs, runs the batch, prints
one line per failure as it happens and a summary at the end. Exit code 0 if
every file was written or skipped, 1 if any failed, 2 for a usage error.
Naming rules and the design: ``docs/extraction.md``.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from senga.cli.batch_report import finish
from senga.cli.arg_types import add_model_options, int_at_least
from senga.io import DEFAULT_MAX_PIXELS

if TYPE_CHECKING:
    from senga.extract.style import OutputStyle

NAME = "extract"
HELP = "extract grayscale line art (black on white PNG, same size) from illustrations"

_METHODS = ("model", "morph", "xdog", "blurdiff")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from senga.cli.extract_ray import add_ray_arguments
    from senga.extract.style import STYLES
    from senga.extract.tiling import DEFAULT_OVERLAP, DEFAULT_TILE

    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="image files, folders (recursive) or globs")
    parser.add_argument(
        "-o", "--out", metavar="OUT",
        help="output file (one input) or folder (mirrors input subfolders); "
        "default: NAME_lines.png beside each input",
    )  # fmt: skip
    add_model_options(parser)
    parser.add_argument("--method", default="model", choices=_METHODS, help="the model or a classical baseline")
    parser.add_argument("--batch", type=int_at_least(1), default=1, metavar="N", help="tiles per forward pass")
    parser.add_argument("--workers", type=int_at_least(1), default=2, metavar="N",
                        help="threads decoding/writing files")
    parser.add_argument(
        "--tile", type=int_at_least(1), default=DEFAULT_TILE, metavar="N",
        help=f"output tile side in pixels for large images (default {DEFAULT_TILE})",
    )  # fmt: skip
    parser.add_argument(
        "--overlap", type=int_at_least(0), default=DEFAULT_OVERLAP, metavar="N",
        help=f"context pixels added around each tile (default {DEFAULT_OVERLAP})",
    )  # fmt: skip
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs (never inputs)")
    parser.add_argument(
        "--max-pixels", type=int_at_least(1), default=DEFAULT_MAX_PIXELS, metavar="N",
        help=f"refuse larger images as possible decompression bombs (default {DEFAULT_MAX_PIXELS:,})",
    )  # fmt: skip
    style = parser.add_argument_group("output style (the same as senga serve's; docs/serving.md)")
    style.add_argument(
        "--style", default="black", choices=STYLES,
        help="black lines on white (default), alpha: transparent PNG with line darkness as alpha, "
        "controlnet: white lines on black",
    )  # fmt: skip
    style.add_argument(
        "--line-color", default="#000000", metavar="#RRGGBB", help="line color of --style alpha (default #000000)"
    )  # fmt: skip
    style.add_argument(
        "--gamma", type=float, default=1.0, metavar="G",
        help="line contrast: ink ** G (< 1 darkens faint lines; default 1)",
    )  # fmt: skip
    style.add_argument(
        "--drop-below", type=float, default=0.0, metavar="X",
        help="remove ink fainter than X in [0, 1) (default 0: keep all)",
    )  # fmt: skip
    add_ray_arguments(parser)
    parser.add_argument(
        "-q", "--quiet", action="store_true",
        help="no progress bars, no summary unless something failed (errors always print)",
    )  # fmt: skip


def build_style(args: argparse.Namespace) -> OutputStyle:
    """The :class:`OutputStyle` the flags ask for (raises ValueError with a one-line message)."""
    from senga.extract.style import OutputStyle, parse_color

    if args.line_color.strip().lower() not in ("#000000", "000000") and args.style != "alpha":
        raise ValueError(f"--line-color applies to --style alpha only (got --style {args.style})")
    return OutputStyle(args.style, color=parse_color(args.line_color), gamma=args.gamma, drop_below=args.drop_below)


def build_extractor(args: argparse.Namespace) -> Any:
    """The extractor the flags ask for (raises ValueError for bad combinations)."""
    from senga.extract import ClassicalExtractor, LineExtractor

    if args.method != "model":
        if args.model != "default":
            raise ValueError(f"--model applies to --method model only (got --method {args.method})")
        if args.ink_floor is not None:
            raise ValueError(f"--ink-floor applies to --method model only (got --method {args.method})")
        return ClassicalExtractor(args.method)
    return LineExtractor.from_pretrained(
        args.model, device=args.device, half=args.half, tile=args.tile, overlap=args.overlap,
        batch_size=args.batch, backend=args.backend, ink_floor=args.ink_floor,
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from senga.batch.runner import Job, plan_outputs, run_files

    style = build_style(args)
    if args.engine == "ray":
        from senga.cli.extract_ray import run_ray_engine

        return run_ray_engine(args, style, build_extractor)
    extractor = build_extractor(args)
    jobs, problems = plan_outputs(args.inputs, args.out)
    show = not args.quiet and sys.stderr.isatty()
    files_bar = tqdm(total=len(jobs), unit="file", disable=not show or len(jobs) < 2, file=sys.stderr)

    def report(path: str, problem: str) -> None:
        tqdm.write(f"senga: {path}: {problem}", file=sys.stderr)

    for path, problem in problems:
        report(path, problem)

    def on_file(job: Job, status: str) -> None:
        files_bar.update(1)

    def tile_progress(job: Job) -> Any:
        if not show:
            return None
        bars: dict[str, Any] = {}

        def progress(done: int, total: int) -> None:
            if total < 4:
                return
            bar = bars.get("bar")
            if bar is None:
                bar = bars["bar"] = tqdm(
                    total=total, unit="tile", desc=job.source.name, leave=False, file=sys.stderr
                )
            bar.update(done - bar.n)
            if done >= total:
                bar.close()

        return progress

    try:
        summary = run_files(
            jobs, extractor, overwrite=args.overwrite, workers=args.workers,
            max_pixels=args.max_pixels, on_error=report, on_file=on_file, tile_progress=tile_progress,
            style=style,
        )  # fmt: skip
    finally:
        files_bar.close()
    summary.failed = problems + summary.failed
    return finish(summary.line(), summary.failed, quiet=args.quiet)
