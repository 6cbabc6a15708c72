"""``senga synth OUT_DIR``: write synthetic (color, line art) pairs (thin over :mod:`senga.data.synth`).

Examples::

    senga synth data/synth --n 1000 --seed 0                  # 512x512 pairs
    senga synth /tmp/s --n 12 --sheet /tmp/sheet.png          # and a contact sheet to look at
    senga synth data/wide --n 200 --size 768x512 --workers 4  # width x height, 4 processes
    senga synth data/anime --n 300 --style anime --size 1024  # anime-grade details
    senga synth data/tone --suite screentone --n 6 --size 768 # a hard-case suite (docs/hardcases.md)

Writes OUT_DIR/color/synth_NNNNNN.png, OUT_DIR/line/synth_NNNNNN.png and
OUT_DIR/meta.json. The same seed and generator version always give
byte-identical files, whatever --workers is.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from senga.errors import check_known
from senga.io.outputs import OutputGuard, spelled_like

NAME = "synth"
#: Hard-case suites (``senga.data.synth.hardcases.SUITES``; listed here so ``--help`` needs no OpenCV).
SUITE_NAMES: tuple[str, ...] = (
    "screentone",
    "low-contrast",
    "dark-fill",
    "colored-lines",
    "faint-lines",
    "thick-lines",
)
HELP = "write synthetic color illustrations with their exact line art (training / test data)"


def parse_size_arg(text: str) -> tuple[int, int]:
    """``"512"`` -> (512, 512); ``"768x512"`` (width x height) -> (512, 768) as (height, width)."""
    t = text.strip().lower()
    try:
        if "x" in t:
            w, h = (int(v) for v in t.split("x", 1))
        else:
            w = h = int(t)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected SIDE or WIDTHxHEIGHT, e.g. 512 or 768x512, got {text!r}"
        ) from None
    if w < 32 or h < 32:
        raise argparse.ArgumentTypeError(f"sides must be at least 32 px, got {text!r}")
    return h, w


def _int_at_least(minimum: int, kind: str) -> Callable[[str], int]:
    """An argparse type: an integer ``>= minimum``, else ``"expected a KIND integer, got 'TEXT'"``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a {kind} integer, got {text!r}")
        return value

    return parse


_positive = _int_at_least(1, "positive")
_non_negative = _int_at_least(0, "non-negative")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "out_dir", type=Path, metavar="OUT_DIR", help="output folder (color/, line/, meta.json)"
    )
    parser.add_argument("--n", type=_positive, default=100, help="number of pairs (default 100)")
    parser.add_argument("--seed", type=_non_negative, default=0, help="stream seed (default 0)")
    parser.add_argument(
        "--size",
        type=parse_size_arg,
        default=(512, 512),
        metavar="SIDE|WxH",
        help="image size: a side (default 512) or WIDTHxHEIGHT",
    )
    parser.add_argument(
        "--sheet",
        type=Path,
        default=None,
        metavar="FILE.png",
        help="also write a contact sheet (color | line) of the first 16 pairs",
    )
    parser.add_argument("--workers", type=_positive, default=1, help="processes (same output for any value)")
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="FILE.json",
        help="SynthConfig overrides as a JSON object (e.g. the 'config' of a meta.json)",
    )
    parser.add_argument(
        "--style",
        choices=("default", "anime"),
        default="default",
        help="preset applied before --config: 'anime' adds dense thin hair strands, dark lines over dark fills, "
        "airbrush and gloss, detailed eyes, shadow hatching, thin lines on large canvases (default: default)",
    )
    parser.add_argument(
        "--suite",
        choices=SUITE_NAMES,
        default=None,
        help="write a hard-case suite instead (exact ground truth, OUT_DIR/measure/ holds the pixels its own "
        "measure counts; docs/hardcases.md); --style, --config, --clean and --sheet do not apply",
    )
    parser.add_argument(
        "--clean", action="store_true", help="no file degradations (blur, resampling, noise, JPEG)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def load_config(path: Path | None, clean: bool, style: str = "default"):
    """The SynthConfig from ``--style`` (a preset), ``--config`` (fields override it) and ``--clean``."""
    # not at the top: the synthesizer needs OpenCV (the torch extra); `senga --help` should not load it
    from senga.data.synth import SynthConfig

    cfg = SynthConfig().with_style(style)
    if path is not None:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FileNotFoundError(f"{path}: no such config file") from None
        except (OSError, json.JSONDecodeError) as err:
            raise ValueError(f"{path}: not a JSON file ({err})") from None
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a JSON object of SynthConfig fields")
        merged = cfg.to_dict()
        check_known(data, merged, str(path), "SynthConfig field")
        merged.update(data)
        cfg = SynthConfig.from_dict(merged)
    return cfg.without_degradation() if clean else cfg


def run(args: argparse.Namespace) -> int:
    # as in load_config: the synthesizer needs OpenCV (the torch extra), loaded when the command runs
    from senga.data.synth import write_dataset

    if getattr(args, "suite", None) is not None:
        return _run_suite(args)
    # outputs resolved once; --sheet never replaces the --config file it reads
    guard = OutputGuard(inputs=[args.config] if args.config is not None else [])
    out_dir = spelled_like(guard.check_dir(args.out_dir), args.out_dir)
    sheet = spelled_like(guard.check_file(args.sheet), args.sheet) if args.sheet is not None else None
    cfg = load_config(args.config, args.clean, getattr(args, "style", "default"))
    bar = tqdm(total=args.n, unit="pair", disable=args.quiet or args.n < 2, file=sys.stderr)

    def progress(done: int) -> None:
        bar.update(done - bar.n)

    try:
        write_dataset(
            out_dir,
            args.n,
            args.seed,
            size=args.size,
            config=cfg,
            sheet=sheet,
            workers=args.workers,
            progress=progress,
        )
    finally:
        bar.close()
    h, w = args.size
    print(
        f"wrote {args.n} pairs ({w}x{h}, seed {args.seed}) to {args.out_dir}"
        + (f"; sheet {args.sheet}" if args.sheet else "")
    )
    return 0


def _run_suite(args: argparse.Namespace) -> int:
    """``--suite NAME``: pairs ``0..n-1`` of the suite's stream ``--seed`` at ``--size``."""
    from senga.data.synth.hardcases import write_suite

    if (
        args.config is not None
        or args.clean
        or args.sheet is not None
        or getattr(args, "style", "default") != "default"
    ):
        raise ValueError("--suite: --style, --config, --clean and --sheet do not apply to a hard-case suite")
    out_dir = spelled_like(OutputGuard(inputs=[]).check_dir(args.out_dir), args.out_dir)
    write_suite(str(out_dir), args.suite, args.n, args.seed, size=args.size)
    h, w = args.size
    print(f"wrote {args.n} {args.suite} pairs ({w}x{h}, seed {args.seed}) to {args.out_dir}")
    return 0
