"""Training one bench variant, or reusing / resuming the run an earlier bench left.

Beside each run folder ``OUT/runs/SLUG`` the bench keeps a record
``OUT/runs/SLUG.json``: the *recipe* (preset, overrides, data, seed, batch,
crop, steps) and, once training returned, ``finished`` with the step count,
training seconds and the checkpoint to evaluate. So a bench that was killed
and started again with ``resume``:

* reuses a finished run with the same recipe and step budget (no training);
* continues an unfinished run from its ``last`` checkpoint (``train(..., resume=True)``),
  also when the budget grew;
* starts over a run that died before its first checkpoint;
* refuses a run made with a different recipe, or a longer budget, naming the
  difference (nothing is deleted that holds a checkpoint).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from senga.bench.backend import Backend
from senga.io import atomic_write_path


@dataclass(frozen=True)
class TrainedRun:
    """A trained variant: the folder, the checkpoint to evaluate, its budget and time."""

    run_dir: Path
    checkpoint: Path
    steps: int
    seconds: float
    reused: bool


def run_slug(name: str) -> str:
    """Folder name for a variant: ``"ours[power:100]"`` -> ``"ours-power-100"``."""
    slug = name
    for a, b in (("[", "-"), ("]", ""), (":", "-"), (",", "-"), ("=", "-"), ("/", "-"), (" ", "-")):
        slug = slug.replace(a, b)
    return slug


def _write_record(path: Path, record: dict[str, Any]) -> None:
    with atomic_write_path(path) as tmp:
        tmp.write_text(json.dumps(record, indent=2, default=str) + "\n")


def _read_record(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError:
        raise ValueError(f"{path}: bench run record is not valid JSON; delete it to retrain") from None


def _recipe_difference(old: dict[str, Any], new: dict[str, Any]) -> str | None:
    for key in sorted(set(old) | set(new)):
        if key == "steps":
            continue
        if old.get(key) != new.get(key):
            return f"{key}: {old.get(key)!r} -> {new.get(key)!r}"
    return None


def _checkpoint_of(result: Any) -> Path:
    best = getattr(result, "best_dir", None)
    if best is not None and Path(best).is_dir():
        return Path(best)
    return Path(result.last_dir)


def train_or_resume(
    name: str,
    config: Any,
    recipe: dict[str, Any],
    runs_dir: Path,
    resume: bool,
    backend: Backend,
    progress: bool = True,
    log: Callable[[str], None] = lambda _msg: None,
) -> TrainedRun:
    """Train variant ``name`` into ``runs_dir/SLUG``, or reuse/resume an earlier run.

    Args:
        config: the resolved ``TrainConfig`` from ``get_preset``.
        recipe: JSON-able description of what is trained; must include ``"steps"``.
        resume: allow continuing or reusing runs found in ``runs_dir``.

    Raises:
        ValueError: the run exists but ``resume`` is off, or it was made with a
            different recipe or a larger step budget.
    """
    slug = run_slug(name)
    run_dir = runs_dir / slug
    record_path = runs_dir / f"{slug}.json"
    steps = int(recipe["steps"])
    record = _read_record(record_path)
    exists = run_dir.exists() and any(run_dir.iterdir())
    if (record is not None or exists) and not resume:
        raise ValueError(
            f"{run_dir}: exists from an earlier bench; pass --resume to continue it, or use another --out"
        )

    if record is not None:
        diff = _recipe_difference(record.get("recipe", {}), recipe)
        if diff:
            raise ValueError(f"{run_dir}: was trained with a different setup ({diff}); use another --out")
        done = int(record.get("recipe", {}).get("steps", 0))
        if record.get("finished") and done > steps:
            raise ValueError(
                f"{run_dir}: already trained for {done} steps, this bench asks for {steps}; use another --out"
            )
        if record.get("finished") and done == steps and Path(record["checkpoint"]).is_dir():
            log(f"{name}: reusing finished run {run_dir} ({done} steps)")
            return TrainedRun(run_dir, Path(record["checkpoint"]), done, float(record["seconds"]), True)

    continuing = (run_dir / "last").is_dir()
    if exists and not continuing:
        log(f"{name}: {run_dir} has no checkpoint yet; starting it over")
        shutil.rmtree(run_dir)
    _write_record(record_path, {"name": name, "recipe": recipe, "finished": False})
    log(f"{name}: {'resuming' if continuing else 'training'} {run_dir} ({steps} steps)")
    result = backend.train(config, run_dir, resume=continuing, progress=progress)
    checkpoint = _checkpoint_of(result)
    seconds = float(getattr(result, "seconds", float("nan")))
    _write_record(
        record_path,
        {
            "name": name,
            "recipe": recipe,
            "finished": True,
            "steps": int(getattr(result, "steps", steps)),
            "seconds": seconds,
            "checkpoint": str(checkpoint),
        },
    )
    return TrainedRun(run_dir, checkpoint, int(getattr(result, "steps", steps)), seconds, False)
