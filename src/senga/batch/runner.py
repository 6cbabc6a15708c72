"""Batch file runner behind ``senga extract``: inputs -> outputs, decode, extract, write.

Input expansion (``INPUT...``):

* a file is taken as given (whatever its extension), except an input
  manifest (``.txt``, ``.lst``, ``.csv``, ``.parquet``: a list of files, see
  :mod:`senga.batch.input_manifest`), which acts like a folder holding the
  files it lists;
* a folder is searched recursively for image files (:data:`senga.io.IMAGE_EXTENSIONS`,
  hidden files and folders skipped); its other files are skipped and counted
  ("1 skipped: not an image" in the summary);
* a FIFO, device or socket (even one named like an image, or a symlink to
  ``/dev/zero``) is never opened: it is reported as "not a regular file";
* anything with ``*``, ``?`` or ``[`` is a glob (``**`` recurses); matched
  folders are searched like folders.

Output naming (one rule, whether the input is a file, a folder or a glob: the
name depends only on where the output goes):

* no ``OUT``: beside each input, ``NAME_lines.png`` (the suffix keeps it from
  replacing an input ``NAME.png`` in the same folder). Files named
  ``*_lines.*`` found by folder or glob expansion are skipped (they are
  earlier outputs), explicit file arguments are not;
* ``OUT`` with one input file and an image extension (and not an existing
  folder): ``OUT`` is the output file, its extension picks the format;
* otherwise ``OUT`` is a folder: ``OUT/NAME.png`` (no suffix: a separate
  folder of the same names, ready to pair with the inputs), mirroring the subfolders
  below an input folder (or below the fixed part of a glob). Files in an
  ``OUT`` folder below an input folder are not taken as inputs.

Safety: every output path is resolved once and checked by
:class:`senga.io.OutputGuard` (docs/reliability.md): an output that would
replace one of the run's inputs, or that resolves outside ``OUT`` (or, with no
``OUT``, outside its input's folder), is refused; the "exists" check and the
write use the resolved path, so ``..`` in a glob or in ``OUT`` cannot bypass
them. Existing outputs are skipped unless ``overwrite``; two inputs mapping to
the same output is an error for the second; every file is written atomically
(temporary file + fsync + rename). A bad input is reported and the batch goes on.
"""

from __future__ import annotations

import glob
import os
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from senga.batch.input_manifest import is_manifest, manifest_entries
from senga.errors import first_line
from senga.extract.extractor import Extractor
from senga.extract.style import OutputStyle, render_gray
from senga.extract.tiling import ProgressFn
from senga.io import (
    DEFAULT_MAX_PIXELS,
    IMAGE_EXTENSIONS,
    ImageError,
    not_regular_problem,
    read_rgb,
    scan_folder,
    special_kind,
    write_gray,
    write_image,
)
from senga.io.outputs import OutputError, OutputGuard, resolve_path, spelled_like

#: Suffix of outputs written beside their input (no ``OUT``).
SIDE_SUFFIX: str = "_lines"
#: Extension of outputs written into an ``OUT`` folder or beside their input.
OUTPUT_EXT: str = ".png"

_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Job:
    """One input file and the output it will be written to (resolved: no ``..``, no symlinks)."""

    source: Path
    target: Path


@dataclass
class RunSummary:
    """What a run did. ``failed`` holds ``(path, problem)`` pairs, in the order they happened."""

    done: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: Files of input folders (and glob matches) that are not images, skipped (``plan_outputs(not_images=...)``).
    not_images: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def extend(self, other: RunSummary) -> None:
        """Add ``other``'s outcomes to this summary (one summary for a run of several parts)."""
        self.done += other.done
        self.skipped += other.skipped
        self.failed += other.failed
        self.not_images += other.not_images

    def line(self) -> str:
        """``"3 written, 1 skipped (output exists), 1 skipped: not an image (notes.txt), 2 failed"``."""
        return ", ".join(summary_parts(len(self.done), len(self.skipped), self.not_images, len(self.failed)))


def summary_parts(done: int, skipped: int, not_images: Sequence[Path], failed: int) -> list[str]:
    """The words of a batch summary, the same for both engines: written, skipped, not images, failed."""
    parts = [f"{done} written"]
    if skipped:
        parts.append(f"{skipped} skipped (output exists; --overwrite to replace)")
    if not_images:
        parts.append(not_images_part(not_images))
    parts.append(f"{failed} failed")
    return parts


def not_images_part(paths: Sequence[Path], named: int = 3) -> str:
    """``"2 skipped: not an image (a.txt, b.pdf)"``: the summary's words for skipped non-image files."""
    names = ", ".join(p.name for p in paths[:named]) + (", ..." if len(paths) > named else "")
    return f"{len(paths)} skipped: not an image ({names})"


def _is_glob(text: str) -> bool:
    return any(c in _GLOB_CHARS for c in text)


def _glob_base(pattern: str) -> Path:
    """The leading part of a glob pattern without wildcards (``art/**/*.png`` -> ``art``)."""
    parts = Path(pattern).parts
    fixed = []
    for part in parts:
        if _is_glob(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def _inside(path: Path, folder: Path | None) -> bool:
    if folder is None:
        return False
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _relative(path: Path, base: Path) -> Path:
    """``path`` below ``base`` compared as resolved paths (``a/*/../../b.png`` is not below ``a``); else its name."""
    try:
        return resolve_path(path).relative_to(resolve_path(base))
    except ValueError:
        return Path(path.name)


def plan_outputs(
    inputs: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str] | None = None,
    not_images: list[Path] | None = None,
) -> tuple[list[Job], list[tuple[str, str]]]:
    """Expand ``inputs`` and map each file to its output (rules in the module doc).

    Args:
        inputs, out: ``senga extract``'s ``INPUT...`` and ``-o``.
        not_images: when given, gets the files of input folders and glob
            matches that were skipped as not images (for the summary).

    Returns:
        ``(jobs, problems)``: jobs in input order (duplicates removed), and
        ``(path, problem)`` for inputs that yield nothing or cannot be mapped.

    Raises:
        ValueError: ``out`` names a file but there are several inputs.
    """
    if not inputs:
        raise ValueError("no input given")
    out_path = Path(out) if out is not None else None
    one_path = len(inputs) == 1 and not _is_glob(str(inputs[0]))
    # one missing input: report it as missing, not as "several inputs"
    single_file = one_path and (Path(inputs[0]).is_file() or not Path(inputs[0]).exists())
    single_file = single_file and not is_manifest(inputs[0])  # a manifest lists several files
    out_is_file = (
        out_path is not None
        and not out_path.is_dir()
        and out_path.suffix.lower() in Image.registered_extensions()
    )
    if out_is_file and not single_file:
        raise ValueError(f"-o {out_path}: must be a folder when there are several input files")
    out_dir = out_path if out_path is not None and not out_is_file else None

    # (source, path relative to its input root; None for a plain file argument)
    found: list[tuple[Path, Path | None]] = []
    problems: list[tuple[str, str]] = []

    def add_folder(folder: Path, root: Path) -> int:
        # An OUT folder below this one holds earlier outputs, not inputs. (OUT equal to
        # or above it would exclude everything: then same-name outputs are refused below.)
        skip = out_dir if out_dir is not None and not _inside(folder, out_dir) else None
        listing = scan_folder(folder)
        n = 0
        for p in listing.images:
            if _inside(p, skip) or p.stem.endswith(SIDE_SUFFIX):
                continue
            found.append((p, _relative(p, root)))
            n += 1
        for p, kind in listing.special:
            if not _inside(p, skip):
                problems.append((str(p), not_regular_problem(kind)))
                n += 1
        if not_images is not None:
            not_images.extend(p for p in listing.not_images if not _inside(p, skip))
        return n

    for item in inputs:
        text = str(item)
        if _is_glob(text):
            base = _glob_base(text)
            matches = sorted(Path(m) for m in glob.glob(text, recursive=True))
            n = 0
            for m in matches:
                if m.is_dir():
                    n += add_folder(m, base)
                elif _inside(m, out_dir) or m.stem.endswith(SIDE_SUFFIX):
                    continue
                elif m.is_file() and m.suffix.lower() in IMAGE_EXTENSIONS:
                    found.append((m, _relative(m, base)))
                    n += 1
                elif m.is_file():
                    if not_images is not None:
                        not_images.append(m)
                elif (kind := special_kind(m)) is not None:
                    problems.append((str(m), not_regular_problem(kind)))
                    n += 1
            if n == 0:
                problems.append((text, "no image files match this pattern"))
        else:
            p = Path(text)
            if p.is_dir():
                if add_folder(p, p) == 0:
                    problems.append((text, "no image files in this folder"))
            elif p.is_file() and is_manifest(p):
                entries = manifest_entries(p)
                if not entries:
                    problems.append((text, "no entries in this manifest"))
                found.extend(entries)
            elif p.is_file():
                found.append((p, None))
            elif (kind := special_kind(p)) is not None:
                problems.append((text, not_regular_problem(kind)))
            else:
                problems.append((text, "no such file or folder"))

    sources = {p.resolve() for p, _ in found}
    guard = OutputGuard(inputs=sources)
    jobs: list[Job] = []
    seen_sources: set[Path] = set()
    taken: dict[Path, Path] = {}
    for p, rel in found:
        key = p.resolve()
        if key in seen_sources:
            continue
        seen_sources.add(key)
        if out_is_file:
            assert out_path is not None
            target, root = out_path, out_path.parent
        elif out_dir is not None:
            rel = rel if rel is not None else Path(p.name)
            target, root = out_dir / rel.parent / (rel.stem + OUTPUT_EXT), out_dir
        else:
            target, root = p.parent / (p.stem + SIDE_SUFFIX + OUTPUT_EXT), p.parent
        if guard.is_input(resolve_path(target)):
            problems.append((str(p), f"output {target} would overwrite an input file; choose another -o"))
            continue
        try:
            tkey = guard.check_file(target, root=root)
        except OutputError as err:
            problems.append((str(p), f"output {err}"))
            continue
        target = spelled_like(tkey, target)  # the resolved path (relative when the user's was)
        if tkey in taken:
            problems.append((str(p), f"output {target} is already the output of {taken[tkey]}"))
            continue
        taken[tkey] = p
        jobs.append(Job(p, target))
    return jobs, problems


def run_files(
    jobs: Iterable[Job],
    extractor: Extractor,
    overwrite: bool = False,
    workers: int = 2,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    on_error: Callable[[str, str], None] | None = None,
    on_file: Callable[[Job, str], None] | None = None,
    tile_progress: Callable[[Job], ProgressFn | None] | None = None,
    style: OutputStyle | None = None,
) -> RunSummary:
    """Extract line art for each job, in order, and write it atomically.

    Decoding and writing run on a pool of ``workers`` threads (at most
    ``workers`` decoded images wait in memory); extraction runs on the calling
    thread, one image at a time.

    Args:
        jobs: from :func:`plan_outputs`.
        extractor: anything with ``predict_gray(rgb, progress) -> (H, W) uint8``.
        overwrite: replace existing outputs (never inputs; see :func:`plan_outputs`).
        workers: decode/write threads (>= 1).
        max_pixels: refuse larger images (``None``: no limit).
        on_error: ``on_error(path, problem)`` as each failure happens.
        on_file: ``on_file(job, status)`` after each job, status ``"done"``,
            ``"skipped"`` or ``"failed"``.
        tile_progress: gives a tile progress callback for a job (or None).
        style: output style (:mod:`senga.extract.style`); ``None``: black lines on white.

    Returns:
        The :class:`RunSummary`.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    summary = RunSummary()

    def finish(job: Job, status: str, problem: str = "") -> None:
        if status == "done":
            summary.done.append(job.target)
        elif status == "skipped":
            summary.skipped.append(job.target)
        else:
            summary.failed.append((str(job.source), problem))
            if on_error is not None:
                on_error(str(job.source), problem)
        if on_file is not None:
            on_file(job, status)

    todo: list[Job] = []
    for job in jobs:
        if job.target.exists() and not overwrite:
            finish(job, "skipped")
        else:
            todo.append(job)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="senga-io") as pool:
        reads: deque[tuple[Job, Future[np.ndarray]]] = deque()
        writes: deque[tuple[Job, Future[None]]] = deque()
        upcoming = iter(todo)

        def read_next() -> None:
            job = next(upcoming, None)
            if job is not None:
                reads.append((job, pool.submit(read_rgb, job.source, max_pixels)))

        def collect_writes(block_until: int) -> None:
            """Finish written files, in order, until at most ``block_until`` are pending."""
            while writes and (len(writes) > block_until or writes[0][1].done()):
                job, fut = writes.popleft()
                try:
                    fut.result()
                except (OSError, ValueError) as err:
                    why = err.strerror if isinstance(err, OSError) and err.strerror else first_line(err)
                    finish(job, "failed", f"cannot write {job.target} ({why})")
                else:
                    finish(job, "done")

        try:
            for _ in range(workers):
                read_next()
            while reads:
                job, fut = reads.popleft()
                read_next()
                try:
                    rgb = fut.result()
                except ImageError as err:
                    finish(job, "failed", err.problem)
                    continue
                except Exception as err:  # noqa: BLE001 - a decoder bug on one odd file must not end the batch
                    finish(job, "failed", f"cannot read ({type(err).__name__}: {first_line(err)})")
                    continue
                progress = tile_progress(job) if tile_progress is not None else None
                source = rgb if style is not None and style.needs_rgb else None  # colors come from the input
                try:
                    gray = extractor.predict_gray(rgb, progress)
                except Exception as err:  # noqa: BLE001 - e.g. out of memory on one huge image
                    finish(job, "failed", f"extraction failed ({type(err).__name__}: {first_line(err)})")
                    continue
                finally:
                    del rgb
                collect_writes(block_until=workers)
                writes.append((job, pool.submit(write_styled, job.target, gray, style, source)))
                del gray, source
            collect_writes(block_until=0)
        except BaseException:
            for _, f in reads:
                f.cancel()
            raise
    return summary


def write_styled(
    path: Path, gray: np.ndarray, style: OutputStyle | None = None, rgb: np.ndarray | None = None
) -> None:
    """Write an ``(H, W) uint8`` line image in ``style`` (``None``: as is), atomically.

    ``rgb``: the input image, for styles that take colors from it (``style.needs_rgb``).
    """
    if style is None or style.is_identity:
        write_gray(path, gray)
    else:
        write_image(path, render_gray(gray, style, rgb))
