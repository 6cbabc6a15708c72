"""Input manifests: a file that lists the images to process instead of being one.

``senga extract`` (both engines) takes a manifest wherever it takes an image
file. A manifest is recognised by its extension (:data:`MANIFEST_EXTENSIONS`):

* ``.txt`` / ``.lst``: one path per line; blank lines and lines starting with
  ``#`` are ignored;
* ``.csv``: a header row and a column named ``path`` (or ``input``, ``image``,
  ``file``; the first of these that exists);
* ``.parquet``: the same column names (needs ``pyarrow``: ``pip install -e '.[ray]'``).

Relative entries are relative to the manifest's folder, and a manifest acts
like a folder whose file list is given: with ``-o OUT`` an entry
``a/b.png`` is written to ``OUT/a/b.png`` (absolute entries outside the
manifest's folder to ``OUT/NAME.png``). Entries are taken as given, like file
arguments: a missing or broken file fails on its own when it is read, so a
manifest of a million files is not stat-ed up front.

Example:
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "list.txt").write_text("# two images\\na.png\\nsub/b.jpg\\n")
    >>> [(p.relative_to(d).as_posix(), rel.as_posix()) for p, rel in manifest_entries(d / "list.txt")]
    [('a.png', 'a.png'), ('sub/b.jpg', 'sub/b.jpg')]
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from senga.errors import SengaError, first_line

#: Extensions that mark a file as a manifest rather than an image.
MANIFEST_EXTENSIONS: tuple[str, ...] = (".txt", ".lst", ".csv", ".parquet")
#: Column names searched (in this order) in CSV and Parquet manifests.
PATH_COLUMNS: tuple[str, ...] = ("path", "input", "image", "file")


class ManifestError(SengaError):
    """A manifest cannot be used. ``str(err)`` is ``"PATH: problem"`` (one line)."""


def is_manifest(path: str | os.PathLike[str]) -> bool:
    """Whether ``path``'s extension marks it as an input manifest."""
    return Path(path).suffix.lower() in MANIFEST_EXTENSIONS


def _pick_column(path: Path, names: list[str]) -> str:
    lower = {n.strip().lower(): n for n in names}
    for want in PATH_COLUMNS:
        if want in lower:
            return lower[want]
    shown = ", ".join(repr(n) for n in names[:8]) or "none"
    raise ManifestError(path, f"no path column (looked for {', '.join(PATH_COLUMNS)}; columns: {shown})")


def read_manifest(path: str | os.PathLike[str]) -> list[str]:
    """The entries of a manifest, as written in it (blank entries dropped).

    Raises:
        ManifestError: unreadable, no path column, or pyarrow missing for Parquet.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".txt", ".lst"):
            with open(path, encoding="utf-8-sig") as f:
                lines = [line.strip() for line in f]
            return [line for line in lines if line and not line.startswith("#")]
        if suffix == ".csv":
            with open(path, encoding="utf-8-sig", newline="") as f:
                reader = csv.DictReader(f)
                column = _pick_column(path, list(reader.fieldnames or []))
                return [str(row[column]).strip() for row in reader if (row.get(column) or "").strip()]
        if suffix == ".parquet":
            try:
                import pyarrow.parquet as pq
            except ImportError:
                raise ManifestError(
                    path, "reading a Parquet manifest needs pyarrow: pip install -e '.[ray]'"
                ) from None
            schema = pq.read_schema(path)
            column = _pick_column(path, list(schema.names))
            values = pq.read_table(path, columns=[column]).column(column).to_pylist()
            return [str(v).strip() for v in values if v is not None and str(v).strip()]
    except ManifestError:
        raise
    except UnicodeDecodeError:
        raise ManifestError(path, "not a UTF-8 text file") from None
    except (OSError, ValueError, csv.Error) as err:  # pyarrow's ArrowInvalid is a ValueError
        text = first_line(err)
        raise ManifestError(path, f"cannot read manifest ({text})") from None
    raise ManifestError(path, f"not a manifest extension ({', '.join(MANIFEST_EXTENSIONS)})")


def manifest_entries(path: str | os.PathLike[str]) -> list[tuple[Path, Path]]:
    """``(file, path relative to the manifest's folder)`` per entry, in manifest order.

    The relative path is what an ``OUT`` folder mirrors; entries outside the
    manifest's folder (absolute, or above it with ``..``) keep only their name.
    """
    path = Path(path)
    root = path.parent
    out: list[tuple[Path, Path]] = []
    for entry in read_manifest(path):
        p = Path(os.path.normpath(root / os.path.expanduser(entry)))
        try:
            rel = Path(os.path.abspath(p)).relative_to(os.path.abspath(root))
        except ValueError:
            rel = Path(p.name)
        out.append((p, rel))
    return out
