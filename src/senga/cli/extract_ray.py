"""The ``--engine ray`` part of ``senga extract``: its flags and its run.

Kept apart from :mod:`senga.cli.extract` (which calls :func:`add_ray_arguments`
and, for ``--engine ray``, :func:`run_ray_engine`) so the local path does not
grow. Same inputs, outputs, styles and exit codes as the local engine; the run
also writes a Parquet manifest (``--manifest``). Design: ``docs/ray.md``.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from senga.cli.arg_types import float_above, float_at_least, int_at_least
from senga.cli.batch_report import finish
from senga.extract.style import OutputStyle
from senga.weights import is_bundled

#: Manifest file name used when ``--manifest`` is not given.
DEFAULT_MANIFEST_NAME = "senga-manifest.parquet"


def add_ray_arguments(parser: argparse.ArgumentParser) -> None:
    """``--engine``, ``--address``, ``--actors``, ``--gpus-per-actor``, ``--cpus-per-actor``,
    ``--batch-size``, ``--manifest``."""
    group = parser.add_argument_group("engine (dataset-scale runs on Ray Data: docs/ray.md)")
    group.add_argument(
        "--engine",
        default="local",
        choices=("local", "ray"),
        help="local: this process (default); ray: a pool of Ray actors (pip install -e '.[ray]')",
    )
    group.add_argument(
        "--address",
        default=None,
        metavar="auto|ray://HOST:PORT",
        help="Ray cluster to join (default: $RAY_ADDRESS, else a local Ray for this run)",
    )
    group.add_argument(
        "--actors",
        type=int_at_least(1),
        default=None,
        metavar="N",
        help="Ray actors (default: one per --gpus-per-actor share of the GPUs, else one per CPU)",
    )
    group.add_argument(
        "--gpus-per-actor",
        type=float_at_least(0.0),
        default=0.0,
        metavar="F",
        help="GPUs per Ray actor (default 0: CPU actors; 1 = one actor per GPU)",
    )
    group.add_argument(
        "--cpus-per-actor",
        type=float_above(0.0),
        default=1.0,
        metavar="F",
        help="CPUs per Ray actor, also its torch threads (default 1)",
    )
    group.add_argument(
        "--batch-size",
        type=int_at_least(1),
        default=4,
        metavar="B",
        help="images per Ray batch handed to an actor (default 4; --tile-batch is tiles per forward pass)",
    )
    group.add_argument(
        "--manifest",
        default=None,
        metavar="PATH.parquet",
        help=f"Ray run manifest, one row per input (default: OUT/{DEFAULT_MANIFEST_NAME} for a folder -o, "
        f"else ./{DEFAULT_MANIFEST_NAME})",
    )


def default_manifest(out: str | None) -> Path:
    """``OUT/senga-manifest.parquet`` for an ``-o`` folder, else in the working folder."""
    from PIL import Image

    if out is not None:
        path = Path(out)
        if path.is_dir() or path.suffix.lower() not in Image.registered_extensions():
            return path / DEFAULT_MANIFEST_NAME
    return Path(DEFAULT_MANIFEST_NAME)


def _actor_args(args: argparse.Namespace) -> argparse.Namespace:
    """The flags an actor needs to build the extractor: no private entries, model path absolute
    (actors run in another working folder)."""
    clean = {k: v for k, v in vars(args).items() if not k.startswith("_")}
    model = clean.get("model")
    if model is not None and not is_bundled(model) and Path(model).exists():
        clean["model"] = str(Path(model).absolute())
    return argparse.Namespace(**clean)


def run_ray_engine(
    args: argparse.Namespace, style: OutputStyle, build_extractor: Callable[[argparse.Namespace], Any]
) -> int:
    """``senga extract ... --engine ray``: plan, run on Ray, print failures and a summary.

    ``build_extractor(args)`` is the local engine's extractor factory; it runs
    once in the driver on the CPU (so bad flags or a bad model folder fail
    before Ray starts) and once in each actor with the flags as given.
    """
    from senga.batch.ray_engine import RayOptions, RayRunError, require_ray, run_ray
    from senga.batch.remote_inputs import RemoteJob, is_url, plan_remote
    from senga.batch.runner import Job, plan_outputs

    require_ray()
    options = RayOptions(
        address=args.address,
        actors=args.actors,
        gpus_per_actor=args.gpus_per_actor,
        cpus_per_actor=args.cpus_per_actor,
        batch_size=args.batch_size,
        workers=args.workers,
        progress=not args.quiet,
    )
    actor_args = _actor_args(args)
    check = argparse.Namespace(**{**vars(actor_args), "device": "cpu", "half": False})
    build_extractor(check)  # fail on flags and model files here, not in every actor
    manifest = Path(args.manifest) if args.manifest else default_manifest(args.out)
    urls = [text for text in args.inputs if is_url(text)]
    paths = [text for text in args.inputs if not is_url(text)]
    not_images: list[Path] = []
    local_jobs, problems = plan_outputs(paths, args.out, not_images=not_images) if paths else ([], [])
    jobs: list[Job | RemoteJob] = list(local_jobs)
    if urls:
        remote_jobs, remote_problems = plan_remote(urls, args.out)
        jobs, problems = [*jobs, *remote_jobs], problems + remote_problems

    def report(path: str, problem: str) -> None:
        print(f"senga: {path}: {problem}", file=sys.stderr)

    for path, problem in problems:
        report(path, problem)
    try:
        result = run_ray(
            jobs,
            functools.partial(build_extractor, actor_args),
            manifest,
            options,
            overwrite=args.overwrite,
            max_pixels=args.max_pixels,
            style=style,
            on_error=report,
            unplanned=problems,
        )
    except RayRunError as err:
        print(f"senga: {err}; finished outputs are kept (see {manifest}), a rerun resumes", file=sys.stderr)
        return 1
    result.not_images = not_images
    return finish(f"{result.line()}; manifest {manifest}", problems + result.failed, quiet=args.quiet)
