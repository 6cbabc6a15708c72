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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from senga.cli.arg_types import add_model_options, int_at_least
from senga.cli.batch_report import finish
from senga.io import DEFAULT_MAX_PIXELS
from senga.weights import bundled_name

if TYPE_CHECKING:
    from senga.extract.style import OutputStyle

NAME = "extract"
HELP = "extract grayscale line art (black on white PNG, same size) from illustrations"

_METHODS = ("model", "morph", "xdog", "blurdiff")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from senga.cli.extract_ray import add_ray_arguments
    from senga.cli.extract_video import add_video_arguments
    from senga.extract.style import STYLES
    from senga.extract.tiling import DEFAULT_OVERLAP, DEFAULT_TILE

    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="image files, folders (recursive; other files are skipped and counted), quoted globs "
        "('shots/*.jpg', '**' recurses) or file lists (.txt / .lst: one path a line; .csv / .parquet: "
        "a path column); with --engine ray also URLs (s3://...)",
    )
    parser.add_argument(
        "-o",
        "--out",
        metavar="OUT",
        help="output file (one input) or folder: OUT/NAME.png, input subfolders mirrored; "
        "default: NAME_lines.png beside each input (the suffix keeps it from replacing NAME.png). "
        "The same rule for files, folders and globs",
    )
    add_model_options(parser)
    parser.add_argument(
        "--method", default="model", choices=_METHODS, help="the model or a classical baseline"
    )
    parser.add_argument(
        "--tile-batch",
        type=int_at_least(1),
        default=1,
        metavar="N",
        help="tiles per forward pass of the model (default 1; more uses more memory)",
    )
    parser.add_argument(
        "--batch",
        type=int_at_least(1),
        dest="tile_batch",
        default=argparse.SUPPRESS,
        metavar="N",
        action=_DeprecatedAlias,
        help="deprecated alias of --tile-batch (not Ray's --batch-size)",
    )
    parser.add_argument(
        "--workers", type=int_at_least(1), default=2, metavar="N", help="threads decoding/writing files"
    )
    parser.add_argument(
        "--tile",
        type=int_at_least(1),
        default=DEFAULT_TILE,
        metavar="N",
        help=f"output tile side in pixels for large images (default {DEFAULT_TILE})",
    )
    parser.add_argument(
        "--overlap",
        type=int_at_least(0),
        default=DEFAULT_OVERLAP,
        metavar="N",
        help=f"context pixels added around each tile (default {DEFAULT_OVERLAP})",
    )
    parser.add_argument(
        "--max-side",
        type=int_at_least(16),
        default=None,
        metavar="N",
        help="run the model on the image scaled so its longer side is at most N px, then scale the lines "
        "back to the input's size (faster, less detail; default: full resolution)",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs (never inputs)")
    parser.add_argument(
        "--max-pixels",
        type=int_at_least(1),
        default=DEFAULT_MAX_PIXELS,
        metavar="N",
        help=f"refuse larger images as possible decompression bombs (default {DEFAULT_MAX_PIXELS:,})",
    )
    style = parser.add_argument_group("output style (the same as senga serve's; docs/serving.md)")
    style.add_argument(
        "--style",
        default="black",
        choices=STYLES,
        help="black lines on white (default), alpha: transparent PNG with line darkness as alpha, "
        "controlnet: white lines on black, color: lines in their own colors from the input (RGBA)",
    )
    style.add_argument(
        "--line-color",
        default="#000000",
        metavar="#RRGGBB",
        help="line color of --style alpha (default #000000)",
    )
    style.add_argument(
        "--gamma",
        type=float,
        default=1.0,
        metavar="G",
        help="line contrast: ink ** G (< 1 darkens faint lines; default 1)",
    )
    style.add_argument(
        "--drop-below",
        type=float,
        default=0.0,
        metavar="X",
        help="remove ink fainter than X in [0, 1) (default 0: keep all)",
    )
    add_ray_arguments(parser)
    add_video_arguments(parser)
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bars, no summary unless something failed (errors always print)",
    )


class _DeprecatedAlias(argparse.Action):
    """Stores the value like its new spelling and says once, on stderr, which spelling to use."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option: str | None = None,
    ) -> None:
        new = "--" + self.dest.replace("_", "-")
        print(f"senga: {option} is deprecated; use {new}", file=sys.stderr)
        setattr(namespace, self.dest, values)


def build_style(args: argparse.Namespace) -> OutputStyle:
    """The :class:`OutputStyle` the flags ask for (raises ValueError with a one-line message)."""
    from senga.extract.style import OutputStyle, parse_color

    return OutputStyle(
        args.style, color=parse_color(args.line_color), gamma=args.gamma, drop_below=args.drop_below
    )


def build_extractor(args: argparse.Namespace) -> Any:
    """The extractor the flags ask for (raises ValueError for bad combinations)."""
    from senga.extract import ClassicalExtractor, LineExtractor
    from senga.extract.tiling import Tiling

    if args.method != "model":
        if bundled_name(args.model) != "default":  # --model was given
            raise ValueError(f"--model applies to --method model only (got --method {args.method})")
        if args.ink_floor is not None:
            raise ValueError(f"--ink-floor applies to --method model only (got --method {args.method})")
        return ClassicalExtractor(args.method, max_side=args.max_side)
    tiling = Tiling(args.tile, args.overlap, args.tile_batch)
    return LineExtractor.from_pretrained(
        args.model,
        device=args.device,
        half=args.half,
        backend=args.backend,
        ink_floor=args.ink_floor,
        tiling=tiling,
        precision=args.precision,
        max_side=args.max_side,
    )


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from senga.batch.runner import Job, RunSummary, plan_outputs, run_files
    from senga.cli.extract_video import check_video_options, run_videos, split_video_inputs

    style = build_style(args)
    videos, image_inputs = split_video_inputs(args.inputs)
    check_video_options(args, videos, image_inputs)
    if videos and args.engine == "ray":
        raise ValueError(f"--engine ray does not take videos ({videos[0]}); run them with the local engine")
    if args.engine == "ray":
        from senga.cli.extract_ray import run_ray_engine

        return run_ray_engine(args, style, build_extractor)
    extractor = build_extractor(args)
    not_images: list[Path] = []
    jobs, problems = plan_outputs(image_inputs, args.out, not_images=not_images) if image_inputs else ([], [])
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

    summary = RunSummary(failed=list(problems), not_images=not_images)
    if videos:
        run_videos(args, videos, extractor, style, summary, report)
    try:
        images = run_files(
            jobs,
            extractor,
            overwrite=args.overwrite,
            workers=args.workers,
            max_pixels=args.max_pixels,
            on_error=report,
            on_file=on_file,
            tile_progress=tile_progress,
            style=style,
        )
    finally:
        files_bar.close()
    summary.extend(images)
    return finish(summary.line(), summary.failed, quiet=args.quiet)
