"""The run manifest: one Parquet row per input of a ``senga extract --engine ray`` run.

Columns (:data:`SCHEMA`):

==================  =======  ==============================================================
``index``           int64    position of the input in the run's plan (rows are in this order)
``input``           string   the input file, as planned
``output``          string   the output file
``status``          string   ``done`` (written), ``skipped`` (output existed), ``failed``
``error``           string   the same one-line problem the local engine prints (null if none)
``width``           int32    image width in pixels (null when the file could not be read)
``height``          int32    image height in pixels
``seconds``         float64  actor time spent on this image (model pass and write; 0 if skipped)
``actor``           string   ``HOST:PID`` of the Ray actor that processed it (null if skipped)
``actor_rss_mib``   float64  that actor's peak resident memory so far, MiB
==================  =======  ==============================================================

The file is rewritten atomically (:func:`senga.io.atomic_write_path`) after
each finished block, at most once every :attr:`RunManifest.min_interval`
seconds (so a run of millions of images does not spend its time rewriting
it), and at the end: it can be read at any moment, e.g. with
``pandas.read_parquet(path)`` or ``pyarrow.parquet.read_table(path)``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from senga.io import atomic_write_path

#: Column names and Arrow types, in file order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("index", "int64"),
    ("input", "string"),
    ("output", "string"),
    ("status", "string"),
    ("error", "string"),
    ("width", "int32"),
    ("height", "int32"),
    ("seconds", "float64"),
    ("actor", "string"),
    ("actor_rss_mib", "float64"),
)
#: Values of the ``status`` column.
STATUSES: tuple[str, ...] = ("done", "skipped", "failed")


def schema() -> Any:
    """The manifest's ``pyarrow.Schema``."""
    import pyarrow as pa

    return pa.schema([(name, pa.type_for_alias(kind)) for name, kind in COLUMNS])


class RunManifest:
    """Collects rows and keeps ``path`` up to date.

    Args:
        path: the Parquet file (its folder is created).
        min_interval: seconds between two rewrites triggered by :meth:`add`.
    """

    def __init__(self, path: str | os.PathLike[str], min_interval: float = 5.0) -> None:
        self.path = Path(path)
        self.min_interval = min_interval
        self._columns: dict[str, list[Any]] = {name: [] for name, _ in COLUMNS}
        self._last_write = float("-inf")

    def __len__(self) -> int:
        return len(self._columns["index"])

    def add(
        self, rows: Iterable[Mapping[str, Any]] | Mapping[str, Sequence[Any]], flush: bool = True
    ) -> None:
        """Append rows (a list of dicts, or a dict of equal-length columns); rewrite the file
        if ``flush`` and :attr:`min_interval` has passed since the last write."""
        if isinstance(rows, Mapping):
            n = len(rows["index"])
            for name, _ in COLUMNS:
                values = rows.get(name)
                self._columns[name].extend([None] * n if values is None else [_plain(v) for v in values])
        else:
            for row in rows:
                for name, _ in COLUMNS:
                    self._columns[name].append(_plain(row.get(name)))
        if flush and time.monotonic() - self._last_write >= self.min_interval:
            self.write()

    def table(self) -> Any:
        """The rows so far as a ``pyarrow.Table``, sorted by ``index``."""
        import pyarrow as pa

        table = pa.table(self._columns, schema=schema())
        return table.sort_by("index") if len(table) else table

    def write(self) -> None:
        """Write all rows now (atomically)."""
        import pyarrow.parquet as pq

        table = self.table()
        with atomic_write_path(self.path) as tmp:
            pq.write_table(table, tmp)
        self._last_write = time.monotonic()


def _plain(value: Any) -> Any:
    """numpy scalars -> Python scalars (``None`` and NaN-free values pass through)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def read_manifest_table(path: str | os.PathLike[str]) -> Any:
    """Read a run manifest back as a ``pyarrow.Table``."""
    import pyarrow.parquet as pq

    return pq.read_table(path)
