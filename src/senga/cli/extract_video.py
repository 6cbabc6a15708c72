"""The video part of ``senga extract``: ``clip.mp4 -o clip_lines.mp4`` or ``-o frames/``.

Thin over :mod:`senga.video`: picks the video inputs out of ``INPUT...``, maps
each to its output, runs the clips one by one with a progress bar in frames
(with its ETA), prints one line per failure and hands the results to the
batch summary. Design: ``docs/video.md``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from senga.cli.arg_types import int_at_least

if TYPE_CHECKING:
    from senga.batch.runner import RunSummary
    from senga.extract.style import OutputStyle


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0 seconds, got {text}")
    return value


def add_video_arguments(parser: argparse.ArgumentParser) -> None:
    """``--every``, ``--start``, ``--end``, ``--frame-batch`` (video inputs only)."""
    group = parser.add_argument_group(
        "video (inputs .mp4 .mov .m4v .webm .mkv .avi and animated .gif; needs pip install -e '.[video]'; "
        "docs/video.md)"
    )
    group.add_argument("--every", type=int_at_least(1), default=1, metavar="N", help="keep one frame in N")
    group.add_argument(
        "--start", type=_seconds, default=None, metavar="S", help="first second of the clip to take"
    )
    group.add_argument(
        "--end", type=_seconds, default=None, metavar="S", help="take the clip up to this second"
    )
    group.add_argument(
        "--frame-batch",
        type=int_at_least(1),
        default=8,
        metavar="N",
        help="frames decoded / encoded while the model runs (default 8)",
    )


def split_video_inputs(inputs: Sequence[str]) -> tuple[list[Path], list[str]]:
    """``(video files, other inputs)``: explicit file arguments with a video extension are videos."""
    from senga.video.container import is_video_path

    videos, others = [], []
    for text in inputs:
        p = Path(text)
        if p.suffix.lower() in (".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi") or (
            p.is_file() and is_video_path(p)
        ):
            videos.append(p)
        else:
            others.append(text)
    return videos, others


def check_video_options(args: argparse.Namespace, videos: Sequence[Path], others: Sequence[str]) -> None:
    """Usage errors (``ValueError``, one line) before anything runs."""
    from senga.video.container import CODECS

    out_is_video = (
        args.out is not None and Path(args.out).suffix.lower() in CODECS and not Path(args.out).is_dir()
    )
    if out_is_video and (others or len(videos) > 1):
        raise ValueError(f"-o {args.out}: a video file takes exactly one video input; use a folder")
    if not videos and (args.every != 1 or args.start is not None or args.end is not None):
        raise ValueError("--every / --start / --end apply to video inputs only")
    if args.start is not None and args.end is not None and args.end <= args.start:
        raise ValueError(f"--end ({args.end:g}) must be after --start ({args.start:g})")


def run_videos(
    args: argparse.Namespace,
    videos: Sequence[Path],
    extractor: Any,
    style: OutputStyle,
    summary: RunSummary,
    report: Callable[[str, str], None],
) -> None:
    """Run every video job, adding its result to ``summary``; failures are reported and the batch goes on."""
    from tqdm import tqdm

    from senga.video.container import video_available
    from senga.video.pipeline import Clip, extract_video, frame_path, video_target

    if not video_available():
        for v in videos:
            report(str(v), "video needs PyAV, which is not installed: pip install -e '.[video]'")
            summary.failed.append((str(v), "video needs PyAV (pip install -e '.[video]')"))
        return
    clip = Clip(args.start, args.end, args.every)
    show = not args.quiet and sys.stderr.isatty()
    for source in videos:
        try:
            job = video_target(source, args.out, several=len(videos) > 1)
        except ValueError as err:
            problem = str(err).removeprefix(f"{source}: ")
            report(str(source), problem)
            summary.failed.append((str(source), problem))
            continue
        if not job.frames_dir and job.target.exists() and not args.overwrite:
            summary.skipped.append(job.target)
            continue
        bar = tqdm(total=0, unit="frame", desc=source.name, disable=not show, file=sys.stderr)

        def on_frames(done: int, total: int, bar: Any = bar) -> None:
            bar.total = total
            bar.update(done - bar.n)

        def warn(line: str, source: Path = source) -> None:
            report(str(source), line)

        try:
            n = extract_video(
                job,
                extractor,
                style,
                clip,
                overwrite=args.overwrite,
                batch=args.frame_batch,
                on_frames=on_frames,
                on_warning=warn,
            )
        except KeyboardInterrupt:
            bar.close()
            what = "no output written" if not job.frames_dir else "frames written so far are kept"
            report(str(source), f"interrupted; {what} ({job.target} is not half-written)")
            raise
        except Exception as err:  # noqa: BLE001 - one bad clip must not end the batch
            bar.close()
            problem = getattr(err, "problem", None) or f"{type(err).__name__}: {err}".splitlines()[0]
            report(str(source), problem)
            summary.failed.append((str(source), problem))
            continue
        bar.close()
        summary.done.append(job.target if not job.frames_dir else frame_path(job, 0).parent)
        if not args.quiet:
            print(f"senga: {source}: {n} frames -> {job.target}", file=sys.stderr)
