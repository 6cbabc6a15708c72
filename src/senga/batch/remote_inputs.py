"""Inputs by URL (``s3://``, ``gs://``, ``https://``, ``file://``, ...) for the Ray engine, via fsspec.

:func:`plan_remote` is :func:`senga.batch.runner.plan_outputs` for URLs,
with the same naming rules below an ``OUT`` folder:

* a URL ending in ``/`` or naming a folder: every image below it (hidden
  files and ``*_lines.*`` skipped), mirrored below ``OUT``;
* a URL with ``*``, ``?`` or ``[``: a glob, mirrored below its fixed part;
* a URL of an input manifest (``.txt``, ``.lst``, ``.csv``, ``.parquet``;
  :mod:`senga.batch.input_manifest`): its entries, relative ones relative
  to the manifest's folder; local manifests may list URLs too;
* any other URL: one file, written to ``OUT/NAME.png``.

Outputs are local (or shared-file-system) paths: URL inputs need ``-o
FOLDER``. Actors read each file with :func:`fetch` into a local temporary
file and then run the local engine on it, so decoding and error messages are
the local ones. Reading needs the fsspec backend of the scheme (``s3fs`` for
``s3://``, ``gcsfs`` for ``gs://``, ...) on every node.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from senga.batch.input_manifest import ManifestError, is_manifest, read_manifest
from senga.batch.runner import OUTPUT_EXT, SIDE_SUFFIX
from senga.errors import first_line
from senga.io import IMAGE_EXTENSIONS

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_GLOB_CHARS = frozenset("*?[")


def is_url(text: str | os.PathLike[str]) -> bool:
    """Whether ``text`` is a URL (``scheme://...``) rather than a local path."""
    return isinstance(text, str) and _URL.match(text) is not None


@dataclass(frozen=True)
class RemoteJob:
    """One input URL and the local output it will be written to."""

    source: str
    target: Path


def _fs(url: str):
    try:
        import fsspec
    except ImportError:
        raise ValueError(f"{url}: URL inputs need fsspec: pip install -e '.[ray]'") from None
    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as err:  # no backend for the scheme (e.g. s3fs missing)
        raise ValueError(f"{url}: {first_line(err)}") from None


def _is_image(path: str) -> bool:
    pure = PurePosixPath(path)
    return pure.suffix.lower() in IMAGE_EXTENSIONS and not pure.stem.endswith(SIDE_SUFFIX)


def _below(path: str, base: str) -> PurePosixPath:
    try:
        return PurePosixPath(path).relative_to(PurePosixPath(base))
    except ValueError:
        return PurePosixPath(PurePosixPath(path).name)


def _manifest_urls(url: str) -> list[tuple[str, PurePosixPath | None]]:
    """Entries of a manifest at ``url``: ``(url or local path, path relative to the manifest's folder)``."""
    fs, path = _fs(url)
    folder = str(PurePosixPath(path).parent)
    with tempfile.TemporaryDirectory(prefix="senga-manifest-") as tmp:
        local = Path(tmp) / PurePosixPath(path).name
        try:
            fs.get_file(path, str(local))
        except (OSError, ValueError) as err:
            raise ManifestError(url, f"cannot read manifest ({first_line(err)})") from None
        try:
            entries = read_manifest(local)
        except ManifestError as err:
            raise ManifestError(url, err.problem) from None
    out: list[tuple[str, PurePosixPath | None]] = []
    for entry in entries:
        if is_url(entry):
            out.append((entry, None))
        else:
            joined = os.path.normpath(str(PurePosixPath(folder) / entry))
            out.append((fs.unstrip_protocol(joined), _below(joined, folder)))
    return out


def plan_remote(
    inputs: Sequence[str], out: str | os.PathLike[str] | None
) -> tuple[list[RemoteJob], list[tuple[str, str]]]:
    """Expand URL inputs and name their outputs below ``out`` (rules in the module doc).

    Returns:
        ``(jobs, problems)`` like :func:`~senga.batch.runner.plan_outputs`.

    Raises:
        ValueError: ``out`` is missing (URL inputs need an output folder).
    """
    if out is None:
        raise ValueError(f"{inputs[0]}: URL inputs need -o FOLDER (outputs are written to local paths)")
    out_dir = Path(out)
    found: list[tuple[str, PurePosixPath | None]] = []
    problems: list[tuple[str, str]] = []
    for url in inputs:
        fs, path = _fs(url)
        try:
            if any(c in _GLOB_CHARS for c in path):
                parts = PurePosixPath(path).parts
                fixed = list(
                    parts[: next(i for i, p in enumerate(parts) if any(c in _GLOB_CHARS for c in p))]
                )
                base = str(PurePosixPath(*fixed)) if fixed else ""
                matches = [m for m in sorted(fs.glob(path)) if _is_image(m)]
                found.extend((fs.unstrip_protocol(m), _below(m, base)) for m in matches)
                if not matches:
                    problems.append((url, "no image files match this pattern"))
            elif is_manifest(path):
                entries = _manifest_urls(url)
                found.extend(entries)
                if not entries:
                    problems.append((url, "no entries in this manifest"))
            elif url.endswith("/") or fs.isdir(path):
                base = path.rstrip("/")
                matches = [
                    m
                    for m in sorted(fs.find(base))
                    if _is_image(m) and not any(part.startswith(".") for part in _below(m, base).parts)
                ]
                found.extend((fs.unstrip_protocol(m), _below(m, base)) for m in matches)
                if not matches:
                    problems.append((url, "no image files in this folder"))
            else:
                found.append((url, None))
        except ManifestError as err:
            problems.append((err.path, err.problem))
        except OSError as err:
            problems.append((url, f"cannot list ({first_line(err)})"))
    jobs: list[RemoteJob] = []
    seen: set[str] = set()
    taken: dict[Path, str] = {}
    for source, rel in found:
        if source in seen:
            continue
        seen.add(source)
        rel = rel if rel is not None else PurePosixPath(PurePosixPath(source.split("://", 1)[-1]).name)
        target = out_dir.joinpath(*rel.parent.parts) / (rel.stem + OUTPUT_EXT)
        key = Path(os.path.abspath(target))
        if key in taken:
            problems.append((source, f"output {target} is already the output of {taken[key]}"))
            continue
        taken[key] = source
        jobs.append(RemoteJob(source, target))
    return jobs, problems


def fetch(url: str, dest: Path) -> None:
    """Copy the file at ``url`` to the local path ``dest``.

    Raises:
        OSError: the file cannot be read (missing, denied, network).
    """
    fs, path = _fs(url)
    fs.get_file(path, str(dest))
