"""Batch orchestration: many inputs -> many outputs, on one machine or a Ray cluster.

* :mod:`senga.batch.runner`: ``run_files`` behind ``senga extract`` (inputs
  expanded from files, folders, globs and manifests; outputs planned, guarded and
  written atomically; failures collected, not fatal);
* :mod:`senga.batch.input_manifest`: file lists (``.txt``, ``.csv``, ``.parquet``);
* :mod:`senga.batch.remote_inputs`: URL inputs (fsspec) for the Ray engine;
* :mod:`senga.batch.run_manifest`: the Parquet record of a Ray run (resume);
* :mod:`senga.batch.ray_engine`: the same runner as a Ray Data pipeline.

This package sits above :mod:`senga.extract` (it drives an ``Extractor``) and
below :mod:`senga.cli`. Importing it does not import torch or Ray.
"""

from __future__ import annotations

from senga.batch.runner import Job, RunSummary, plan_outputs, run_files

__all__ = ["Job", "RunSummary", "plan_outputs", "run_files"]
