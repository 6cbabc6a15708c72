"""Dataset-scale extraction on Ray Data: ``senga extract ... --engine ray``.

The same jobs as the local engine (:func:`senga.batch.runner.plan_outputs`:
same inputs, same output names), run by a pool of Ray actors:

* the driver plans the outputs, skips those that exist (a rerun resumes), and
  feeds ``{index, input, output}`` rows to ``Dataset.map_batches`` with
  :class:`ExtractActor`, a callable class that builds the extractor once per
  actor (the model is loaded once, on the actor's GPU if it has one);
* each actor runs the local engine's :func:`~senga.batch.runner.run_files`
  on its batch: the same decode, tiling, output style, atomic write and
  one-line error per bad file; large images are tiled inside the actor
  exactly as locally;
* rows come back to the driver (status, error, size, seconds, actor) and go
  into the Parquet run manifest (:mod:`senga.batch.run_manifest`), which is
  rewritten as blocks finish and at the end.

Ray is optional (``pip install -e '.[ray]'`` in the clone); without it :func:`require_ray`
raises :class:`RayMissingError` saying how to install it. Files must be
reachable under the same path from every node (one machine, or a shared file
system): the driver sends absolute paths. Cluster how-to and measured
overhead: ``docs/ray.md``.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import resource
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

from senga.batch.remote_inputs import RemoteJob, fetch, is_url
from senga.batch.run_manifest import COLUMNS, RunManifest
from senga.batch.runner import Job, run_files, summary_parts
from senga.errors import first_line
from senga.extract.extractor import Extractor
from senga.extract.style import OutputStyle
from senga.extract.tiling import ProgressFn
from senga.io import DEFAULT_MAX_PIXELS
from senga.io.atomic import clean_stale_temporaries

#: What ``--engine ray`` prints when Ray is not installed.
INSTALL_HINT = (
    "--engine ray needs Ray Data, which is not installed: pip install -e '.[ray]' in the senga clone "
    "(or pip install 'ray[data]' pyarrow)"
)


class RayMissingError(ValueError):
    """Ray Data (or pyarrow) is not installed; the message says how to install it."""


class RayRunError(RuntimeError):
    """Ray itself failed (an actor could not start, the cluster went away): one line.

    Outputs written until then are complete and the manifest lists them; a
    rerun resumes.
    """


def require_ray() -> ModuleType:
    """Import and return ``ray`` with Ray Data and pyarrow, or raise :class:`RayMissingError`."""
    try:
        import pyarrow  # noqa: F401 - only checks that it is installed
        import ray
        import ray.data
    except ImportError as err:
        raise RayMissingError(f"{INSTALL_HINT} (import failed: {err})") from None
    return ray


@dataclass(frozen=True)
class RayOptions:
    """How the Ray engine uses the cluster.

    Attributes:
        address: cluster to join (``"auto"``, ``"ray://HOST:10001"``, ...);
            ``None``: ``$RAY_ADDRESS`` if set, else a local Ray started for
            this run (and stopped after it). An already initialised Ray is reused.
        actors: actor pool size; ``None``: one per ``gpus_per_actor`` share of
            the cluster's GPUs, or one per ``cpus_per_actor`` of its CPUs.
        gpus_per_actor: GPUs reserved by each actor (0: CPU actors).
        cpus_per_actor: CPUs reserved by each actor (also its torch threads).
        batch_size: images handed to an actor at a time.
        workers: decode/write threads inside each actor.
        progress: Ray's progress bars and logs (off, as with ``-q``: errors only: the
            driver's ``ray`` logger at ERROR, no worker output, and the C++ core's
            notices kept off stderr by :func:`native_stderr_silenced`).
    """

    address: str | None = None
    actors: int | None = None
    gpus_per_actor: float = 0.0
    cpus_per_actor: float = 1.0
    batch_size: int = 4
    workers: int = 2
    progress: bool = True

    def __post_init__(self) -> None:
        if self.actors is not None and self.actors < 1:
            raise ValueError(f"actors must be >= 1, got {self.actors}")
        if self.gpus_per_actor < 0:
            raise ValueError(f"gpus per actor must be >= 0, got {self.gpus_per_actor}")
        if self.cpus_per_actor <= 0:
            raise ValueError(f"cpus per actor must be > 0, got {self.cpus_per_actor}")
        if self.batch_size < 1:
            raise ValueError(f"batch size must be >= 1, got {self.batch_size}")
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers}")


@dataclass
class RayRunResult:
    """What a Ray run did (the manifest has one row per job)."""

    manifest: Path
    done: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    #: Actors that processed at least one image (distinct ``actor`` values of the manifest's rows).
    actors: int = 0
    #: Size of the actor pool that was started (some may have got no work on a small run).
    pool: int = 0
    #: Files of input folders that are not images, skipped (set by the command line).
    not_images: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def images_per_second(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        """``"60 written, 2 skipped, 2 failed in 31.4 s (1.91 images/s, 2 actors)"``.

        The actor count is the actors that processed images (from the manifest's ``actor``
        column), not the pool size: on a small run one actor may do all the work.
        """
        parts = summary_parts(self.done, self.skipped, self.not_images, len(self.failed))
        actors = f"{self.actors} actor{'' if self.actors == 1 else 's'}"
        return f"{', '.join(parts)} in {self.seconds:.1f} s ({self.images_per_second:.2f} images/s, {actors})"


class _TimedExtractor:
    """Wraps an extractor to note the shape and model time of each image it is given."""

    def __init__(self, inner: Extractor) -> None:
        self.inner = inner
        self.last_shape: tuple[int, int] | None = None
        self.last_seconds = 0.0

    def predict_gray(self, rgb: Any, progress: ProgressFn | None = None) -> Any:
        self.last_shape = (int(rgb.shape[0]), int(rgb.shape[1]))
        start = time.perf_counter()
        try:
            return self.inner.predict_gray(rgb, progress)
        finally:
            self.last_seconds = time.perf_counter() - start


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0


class ExtractActor:
    """The ``map_batches`` callable class: one extractor per actor, the local engine per batch.

    Args:
        make_extractor: builds the extractor (called once, in the actor).
        overwrite, max_pixels, style, workers: as in :func:`~senga.batch.runner.run_files`.
        threads: torch intra-op threads (the actor's CPUs).
    """

    def __init__(
        self,
        make_extractor: Callable[[], Extractor],
        overwrite: bool = False,
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
        style: OutputStyle | None = None,
        workers: int = 2,
        threads: int = 1,
    ) -> None:
        try:
            import torch
        except ImportError:  # a torch-free install extracts on onnxruntime
            pass
        else:
            torch.set_num_threads(max(1, threads))
        self.extractor = _TimedExtractor(make_extractor())
        self.overwrite = overwrite
        self.max_pixels = max_pixels
        self.style = style
        self.workers = workers
        self.name = f"{socket.gethostname()}:{os.getpid()}"

    def __call__(self, batch: Any) -> Any:
        """``pyarrow.Table`` with ``index, input, output, source, target`` -> manifest rows."""
        import pyarrow as pa

        from senga.batch.run_manifest import schema

        cols = batch.to_pydict() if hasattr(batch, "to_pydict") else {k: list(v) for k, v in batch.items()}
        n = len(cols["index"])
        out: dict[str, list[Any]] = {name: [None] * n for name, _ in COLUMNS}
        out["index"] = [int(i) for i in cols["index"]]
        out["input"] = list(cols["input"])
        out["output"] = list(cols["output"])
        with tempfile.TemporaryDirectory(prefix="senga-ray-") as staging:
            jobs = self._local_jobs(cols["source"], cols["target"], Path(staging), out)
            self._run(jobs, out)
        out["actor_rss_mib"] = [_peak_rss_mib()] * n
        return pa.table(out, schema=schema())

    def _local_jobs(
        self, sources: list[str], targets: list[str], staging: Path, out: dict[str, list[Any]]
    ) -> dict[Job, int]:
        """Jobs on local files (URL inputs fetched into ``staging`` first) -> their row.
        A URL that cannot be fetched is marked failed in ``out`` and gets no job."""
        jobs: dict[Job, int] = {}
        fetches = {}
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="senga-fetch") as pool:
            for i, (source, target) in enumerate(zip(sources, targets)):
                if is_url(source):
                    local = staging / f"{i}{PurePosixPath(source.split('://', 1)[1]).suffix}"
                    fetches[i] = (local, target, pool.submit(fetch, source, local))
                else:
                    jobs[Job(Path(source), Path(target))] = i
            for i, (local, target, fut) in fetches.items():
                try:
                    fut.result()
                except Exception as err:  # noqa: BLE001 - missing, denied, network: one bad input, the batch goes on
                    out["status"][i], out["actor"][i], out["seconds"][i] = "failed", self.name, 0.0
                    out["error"][i] = f"cannot read ({type(err).__name__}: {first_line(err)})"
                else:
                    jobs[Job(local, Path(target))] = i
        return dict(sorted(jobs.items(), key=lambda item: item[1]))

    def _run(self, pos: dict[Job, int], out: dict[str, list[Any]]) -> None:
        """The local engine on ``pos``'s jobs; fills their rows of ``out``."""
        jobs = list(pos)
        by_source = {str(job.source): job for job in jobs}
        errors: dict[Job, str] = {}
        # shape and model seconds per job: run_files asks for a job's tile progress callback
        # right before extracting it, so the timed extractor's last call belongs to the
        # previous job at that moment (and to the last job once run_files returns)
        measured: dict[Job, tuple[tuple[int, int] | None, float]] = {}
        current: list[Job] = []

        def take_measurement() -> None:
            if current:
                measured[current[0]] = (self.extractor.last_shape, self.extractor.last_seconds)
            self.extractor.last_shape, self.extractor.last_seconds = None, 0.0

        def tile_progress(job: Job) -> ProgressFn | None:
            take_measurement()
            current[:] = [job]
            return None

        def on_error(path: str, problem: str) -> None:
            job = by_source.get(path)
            if job is not None:
                errors[job] = problem

        def on_file(job: Job, status: str) -> None:
            i = pos[job]
            out["status"][i] = status
            out["actor"][i] = self.name
            out["seconds"][i] = 0.0

        run_files(
            jobs,
            self.extractor,
            overwrite=self.overwrite,
            workers=self.workers,
            max_pixels=self.max_pixels,
            on_error=on_error,
            on_file=on_file,
            tile_progress=tile_progress,
            style=self.style,
        )
        take_measurement()
        for job, (shape, seconds) in measured.items():
            i = pos[job]
            if shape is not None:
                out["height"][i], out["width"][i] = shape
            out["seconds"][i] = seconds
        for job, problem in errors.items():
            out["error"][pos[job]] = problem


def _batches(ray: ModuleType, ds: Any) -> Any:
    """``ds``'s output blocks; Ray's own failures become :class:`RayRunError`."""
    try:
        yield from ds.iter_batches(batch_size=None, batch_format="pyarrow")
    except (ray.exceptions.RayError, ray.data.exceptions.SystemException) as err:
        cause = getattr(err, "cause", None) or err
        raise RayRunError(f"Ray run failed ({type(cause).__name__}: {first_line(cause)})") from err


@contextlib.contextmanager
def native_stderr_silenced(quiet: bool) -> Iterator[None]:
    """While a quiet run uses Ray: what native code writes to file descriptor 2 goes to /dev/null.

    Ray's C++ core worker copies its error-level notices to the process's
    stderr unconditionally (e.g. ``core_worker.cc: ... constructor arguments in
    the object store``; they stay in Ray's own log files). Python's
    ``sys.stderr`` keeps writing where it did (a duplicate of the original
    descriptor when it was descriptor 2), so senga's own lines and Ray's
    Python errors still print. Restored on exit. No-op when not ``quiet``.
    """
    if not quiet:
        yield
        return
    try:
        sys.stderr.flush()
        python_on_fd2 = sys.stderr.fileno() == 2
    except (AttributeError, OSError, ValueError):  # e.g. a captured stream
        python_on_fd2 = False
    saved = os.dup(2)
    before = sys.stderr
    if python_on_fd2:  # left open afterwards: logging handlers made meanwhile may still hold it
        python_stderr = os.fdopen(
            os.dup(saved), "w", buffering=1, encoding=before.encoding, errors="backslashreplace"
        )
        sys.stderr = python_stderr
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        sys.stderr = before


def default_actors(ray: ModuleType, options: RayOptions) -> int:
    """Actor pool size when not given: one per GPU share, else one per CPU share of the cluster."""
    resources = ray.cluster_resources()
    if options.gpus_per_actor > 0:
        gpus = float(resources.get("GPU", 0.0))
        if gpus < options.gpus_per_actor:
            raise ValueError(
                f"--gpus-per-actor {options.gpus_per_actor:g}: the Ray cluster has {gpus:g} GPUs"
            )
        return max(1, int(gpus // options.gpus_per_actor))
    return max(1, int(float(resources.get("CPU", 1.0)) // options.cpus_per_actor))


def run_ray(
    jobs: Sequence[Job | RemoteJob],
    make_extractor: Callable[[], Extractor],
    manifest: str | os.PathLike[str],
    options: RayOptions | None = None,
    overwrite: bool = False,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    style: OutputStyle | None = None,
    on_error: Callable[[str, str], None] | None = None,
    unplanned: Sequence[tuple[str, str]] = (),
) -> RayRunResult:
    """Run ``jobs`` (from :func:`~senga.batch.runner.plan_outputs`) on Ray Data.

    Args:
        jobs: the planned jobs (:func:`~senga.batch.runner.plan_outputs`, and
            :func:`~senga.batch.remote_inputs.plan_remote` for URLs).
        make_extractor: picklable zero-argument factory, called once per actor
            (e.g. ``functools.partial(LineExtractor.from_pretrained, "default")``).
        manifest: the Parquet run manifest to write (one row per job).
        options: cluster use (:class:`RayOptions`).
        overwrite: replace existing outputs; otherwise they are skipped (resume).
        max_pixels, style: as in :func:`~senga.batch.runner.run_files`.
        on_error: ``on_error(input, problem)`` for each failure, as results arrive.
        unplanned: ``(input, problem)`` the planner refused (``plan_outputs``'s
            problems): recorded in the manifest as failed (after the jobs), not reported again.

    Returns:
        :class:`RayRunResult`.

    Raises:
        RayMissingError: Ray Data is not installed.
        RayRunError: Ray failed (e.g. the extractor factory raised in an actor).
    """
    ray = require_ray()
    import pyarrow as pa

    options = options or RayOptions()
    start = time.perf_counter()
    result = RayRunResult(manifest=Path(manifest))
    book = RunManifest(manifest)

    todo: list[dict[str, Any]] = []
    skipped_rows: list[dict[str, Any]] = []
    folders: set[Path] = set()
    for index, job in enumerate(jobs):
        row = {"index": index, "input": str(job.source), "output": str(job.target)}
        if not overwrite and job.target.exists():
            skipped_rows.append({**row, "status": "skipped", "seconds": 0.0})
            continue
        folders.add(job.target.parent)
        source = job.source if is_url(str(job.source)) else os.path.abspath(job.source)
        todo.append({**row, "source": str(source), "target": os.path.abspath(job.target)})
    for folder in folders:  # temporaries of a killed run (their writer is gone)
        clean_stale_temporaries(folder)
    result.skipped = len(skipped_rows)
    book.add(skipped_rows, flush=False)
    book.add(
        [
            {"index": len(jobs) + i, "input": path, "status": "failed", "error": problem, "seconds": 0.0}
            for i, (path, problem) in enumerate(unplanned)
        ],
        flush=False,
    )

    started_ray = False
    if not options.progress:  # e.g. Ray Data's "progress bars disabled" warning
        logging.getLogger("ray.data").setLevel(logging.ERROR)
    quiet = contextlib.ExitStack()  # Ray's native stderr notices, off while Ray runs with -q
    if todo:
        quiet.enter_context(native_stderr_silenced(not options.progress))
        if not ray.is_initialized():
            # the raylet waits this long for its agents; Ray's default is short for a busy machine
            os.environ.setdefault("RAY_agent_register_timeout_ms", "120000")
            os.environ.setdefault("RAY_raylet_start_wait_time_s", "120")
            local = options.address is None and not os.environ.get("RAY_ADDRESS")
            extra = {"include_dashboard": False} if local else {}
            try:
                ray.init(
                    address=options.address,
                    logging_level="INFO" if options.progress else "ERROR",
                    log_to_driver=options.progress,
                    **extra,
                )
            except Exception as err:  # Ray raises plain Exception / ConnectionError here
                ray.shutdown()
                quiet.close()
                where = f"join Ray at {options.address}" if options.address else "start a local Ray"
                book.write()
                raise RayRunError(f"cannot {where} ({type(err).__name__}: {first_line(err)})") from err
            started_ray = True
        try:
            result.pool = options.actors or default_actors(ray, options)
            ctx = ray.data.DataContext.get_current()
            ctx.enable_progress_bars = options.progress
            blocks = max(1, min(math.ceil(len(todo) / options.batch_size), 4 * result.pool * 64))
            table = pa.Table.from_pylist(todo)
            step = math.ceil(len(todo) / blocks)
            # blocks made here, on the driver: a repartition would need a task slot, and the
            # actors may hold every CPU of a small cluster (it would then wait forever)
            ds = ray.data.from_arrow([table.slice(i, step) for i in range(0, len(todo), step)])
            ds = ds.map_batches(
                ExtractActor,
                fn_constructor_kwargs={
                    "make_extractor": make_extractor,
                    "overwrite": overwrite,
                    "max_pixels": max_pixels,
                    "style": style,
                    "workers": options.workers,
                    "threads": math.ceil(options.cpus_per_actor),
                },
                batch_size=options.batch_size,
                batch_format="pyarrow",
                compute=ray.data.ActorPoolStrategy(size=result.pool),
                num_cpus=options.cpus_per_actor,
                num_gpus=options.gpus_per_actor or None,
            )
            workers: set[str] = set()  # the manifest's actor column: who really processed images
            for batch in _batches(ray, ds):
                rows = batch.to_pydict()
                book.add(rows)
                workers.update(actor for actor in rows["actor"] if actor)
                result.actors = len(workers)
                for status, source, error in zip(rows["status"], rows["input"], rows["error"]):
                    if status == "done":
                        result.done += 1
                    elif status == "skipped":
                        result.skipped += 1
                    else:
                        problem = error or "failed"
                        result.failed.append((source, problem))
                        if on_error is not None:
                            on_error(source, problem)
        finally:
            book.write()
            if started_ray:
                ray.shutdown()
            quiet.close()
    else:
        book.write()
    result.seconds = time.perf_counter() - start
    # failures in plan order, as the local engine reports them
    order = {str(job.source): i for i, job in enumerate(jobs)}
    result.failed.sort(key=lambda item: order.get(item[0], len(order)))
    return result
