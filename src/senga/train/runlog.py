"""What a run writes besides checkpoints: ``metrics.csv``, ``train.log``, ``tb/`` events.

* ``RUN/metrics.csv``: one row per logging or validation step; columns
  ``step, seconds, lr, samples_per_s``, the loss terms of the training kind
  (``loss``; pix2pix adds ``g_gan, g_l1, d_loss``), then ``val_P, val_R, val_F1,
  val_RMSE`` (empty on rows without validation). ``seconds`` is training time.
* ``RUN/train.log``: human-readable events (start, validation, checkpoints, errors).
* ``RUN/tb/``: the same scalars as TensorBoard events, only when the
  ``tensorboard`` package is importable.

Only DDP rank 0 writes; other ranks get a disabled :class:`RunLog`.
"""

from __future__ import annotations

import csv
import io
import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from senga.io import atomic_write_path

METRICS_CSV = "metrics.csv"
TRAIN_LOG = "train.log"
TB_DIR = "tb"
VAL_COLUMNS: tuple[str, ...] = ("val_P", "val_R", "val_F1", "val_RMSE")


def csv_columns(terms: Sequence[str]) -> list[str]:
    """The metrics.csv header for a training kind with loss ``terms``."""
    return ["step", "seconds", "lr", "samples_per_s", *terms, *VAL_COLUMNS]


def read_metrics(path: str | Path) -> list[dict[str, float]]:
    """Rows of a metrics.csv as dicts of floats (empty cells left out)."""
    path = Path(path)
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return [{k: float(v) for k, v in row.items() if v not in ("", None)} for row in csv.DictReader(f)]


class RunLog:
    """Appends metric rows and log lines for one run (a no-op when ``enabled`` is False).

    Args:
        run_dir: the run folder.
        terms: loss term names (metrics.csv columns after ``samples_per_s``).
        enabled: False on DDP ranks other than 0.
        keep_until: on resume, the checkpoint's step: rows after it (written by
            the killed run after its last checkpoint) are dropped.
    """

    def __init__(
        self, run_dir: Path, terms: Sequence[str], enabled: bool, keep_until: int | None = None
    ) -> None:
        self.run_dir, self.enabled = run_dir, enabled
        self.columns = csv_columns(terms)
        self.history: list[dict[str, float]] = []
        self._logger: logging.Logger | None = None
        self._tb: Any = None
        if not enabled:
            return
        run_dir.mkdir(parents=True, exist_ok=True)
        csv_path = run_dir / METRICS_CSV
        if keep_until is not None:
            self.history = [r for r in read_metrics(csv_path) if r.get("step", 0) <= keep_until]
        self._rewrite(csv_path, self.history)
        self._logger = logging.getLogger(f"senga.train.run.{id(self)}")
        self._logger.propagate = False
        self._logger.setLevel(logging.INFO)
        handler = logging.FileHandler(run_dir / TRAIN_LOG, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        self._logger.addHandler(handler)
        try:  # tensorboard is an optional extra: imported only where it may be missing
            from torch.utils.tensorboard import SummaryWriter

            self._tb = SummaryWriter(log_dir=str(run_dir / TB_DIR))
        except ImportError:  # tensorboard not installed: CSV only
            self._tb = None

    def _rewrite(self, path: Path, rows: Sequence[Mapping[str, float]]) -> None:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=self.columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _fmt(row.get(k)) for k in self.columns})
        with atomic_write_path(path) as tmp:
            tmp.write_text(buf.getvalue(), encoding="utf-8")

    def row(self, values: Mapping[str, float]) -> None:
        """Append one metrics row (and TensorBoard scalars)."""
        if not self.enabled:
            return
        self.history.append(dict(values))
        with (self.run_dir / METRICS_CSV).open("a", newline="", encoding="utf-8") as f:
            csv.DictWriter(f, fieldnames=self.columns, extrasaction="ignore", lineterminator="\n").writerow(
                {k: _fmt(values.get(k)) for k in self.columns}
            )
        if self._tb is not None:
            step = int(values["step"])
            for key, value in values.items():
                if key != "step" and value is not None:
                    tag = f"val/{key[4:]}" if key.startswith("val_") else f"train/{key}"
                    self._tb.add_scalar(tag, value, step)
            self._tb.flush()

    def info(self, message: str) -> None:
        if self._logger is not None:
            self._logger.info(message)

    def error(self, message: str) -> None:
        if self._logger is not None:
            self._logger.error(message)

    def close(self) -> None:
        if self._logger is not None:
            for handler in list(self._logger.handlers):
                handler.close()
                self._logger.removeHandler(handler)
        if self._tb is not None:
            self._tb.close()


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}" if isinstance(value, float) else str(value)
