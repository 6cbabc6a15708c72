"""``run_bench``: the paper's Table 1 on our data.

Every variant (preset or ablation row) is trained with the same data, seed and
step budget into ``OUT/runs/SLUG``; each trained model (best checkpoint, or the
last one without validation) and each classical baseline is then scored on
every test set with the exact metrics. The bench writes

* ``OUT/results.json``: every number (per-image scores too), command, machine,
  date and budget (rewritten after each method, so a killed bench keeps what it had);
* ``OUT/results.md``: a table per test set in the paper's format and the claims check;
* ``OUT/comparison.png``: the Fig. 4-like grid (:mod:`senga.bench.figure`);
* ``OUT/predictions/TEST/METHOD/NAME.png``: every prediction as the 8-bit file
  that was scored.

Run it again with ``resume=True`` on the same OUT and it continues where it
stopped (see :mod:`senga.bench.runs`).
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch

from senga.bench.backend import Backend, default_backend
from senga.bench.claims import check_claims
from senga.bench.figure import FigureRow, comparison_figure
from senga.bench.machine import machine_info
from senga.bench.report import results_markdown
from senga.bench.result import BenchResult, MethodResult, TestSetInfo
from senga.bench.runs import run_slug, train_or_resume
from senga.bench.testsets import (
    SYNTH_DIRNAME,
    SYNTH_TEST_N,
    SYNTH_TEST_SEED,
    SYNTH_TEST_SIZE,
    TestSpec,
    check_test_folder,
    check_training_specs,
    parse_test_specs,
    synthetic_test_set,
)
from senga.bench.variants import ABLATIONS, Variant, plan_variants
from senga.data.paired import NamedPair
from senga.errors import first_line
from senga.evaluate import evaluate
from senga.extract.tiling import DEFAULT_OVERLAP, DEFAULT_TILE, Tiling
from senga.io import atomic_write_path, write_ink
from senga.runtime import resolve_device

#: The paper's five methods, in Table 1's order.
DEFAULT_PRESETS: tuple[str, ...] = ("exp5", "pix2pix", "dice", "wo-attn", "ours")
#: The classical baselines (``senga.classical.METHODS``), the comparison floor.
DEFAULT_CLASSICAL: tuple[str, ...] = ("morph", "xdog", "blurdiff")
#: Labels of the classical rows.
CLASSICAL_LABELS: dict[str, str] = {"morph": "Morphological", "xdog": "XDoG", "blurdiff": "Blur difference"}


@dataclass
class BenchConfig:
    """What a bench trains, on what, and where it writes.

    Attributes:
        train: training data specs for ``senga.train`` (paired folders or the synthetic
            stream), the same for every variant.
        tests: test sets: ``"DIR"``, ``"NAME=DIR"`` or ``"synth"`` (see :mod:`senga.bench.testsets`).
        out: output folder.
        presets: presets to train, table rows in this order.
        steps: training steps per variant (the shared budget).
        seed: training seed, the same for every variant.
        batch, crop, device, val: forwarded to every preset when set (None: preset default).
        overrides: extra ``TrainConfig`` field overrides for every variant.
        ablations: ``"indicators"`` and/or ``"cancellation"`` (extra ``ours[...]`` rows).
        classical: classical baselines to score (empty for none).
        synth_test_n, synth_test_size, synth_test_seed: the synthetic test set.
        figure_rows: images per test set in the comparison grid.
        figure_cell: side of one panel of the grid, in pixels.
        tile, overlap: tiled inference for the learned models.
        resume: continue / reuse runs an earlier bench left in ``out``.
        save_predictions: write every scored prediction under ``out/predictions``.
        progress: progress bars while training, and log lines.
        command: the command line to record (None: rebuilt from these fields).
    """

    train: list[str]
    tests: list[str]
    out: Path
    presets: list[str] = field(default_factory=lambda: list(DEFAULT_PRESETS))
    steps: int = 1000
    seed: int = 0
    batch: int | None = None
    crop: int | None = None
    device: str | None = None
    val: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    ablations: list[str] = field(default_factory=list)
    classical: list[str] = field(default_factory=lambda: list(DEFAULT_CLASSICAL))
    synth_test_n: int = SYNTH_TEST_N
    synth_test_size: int = SYNTH_TEST_SIZE
    synth_test_seed: int = SYNTH_TEST_SEED
    figure_rows: int = 2
    figure_cell: int = 256
    tile: int = DEFAULT_TILE  # same tiling as `senga extract`
    overlap: int = DEFAULT_OVERLAP
    resume: bool = False
    save_predictions: bool = True
    progress: bool = True
    command: str | None = None

    @property
    def tiling(self) -> Tiling:
        """``tile`` / ``overlap`` as the :class:`Tiling` the learned models are scored with."""
        return Tiling(self.tile, self.overlap)

    def validate(self) -> None:
        """Raise ``ValueError`` naming the first bad field."""
        self.out = Path(self.out)
        if self.steps < 1:
            raise ValueError(f"--steps must be >= 1, got {self.steps}")
        if self.figure_rows < 0:
            raise ValueError(f"figure_rows must be >= 0, got {self.figure_rows}")
        if self.figure_cell < 4:
            raise ValueError(f"figure_cell must be >= 4 pixels, got {self.figure_cell}")
        _ = self.tiling  # the tiling's own check, before any training
        for ab in self.ablations:
            if ab not in ABLATIONS:
                raise ValueError(f"--ablation: unknown ablation {ab!r} (valid: {', '.join(ABLATIONS)})")
        if not self.presets and not self.ablations and not self.classical:
            raise ValueError("--presets and --classical are both empty: nothing to benchmark")
        if (self.presets or self.ablations) and not self.train:
            raise ValueError("--train: give at least one training data spec")
        if len(set(self.classical)) != len(self.classical):
            raise ValueError(f"--classical: a method is listed twice in {','.join(self.classical)}")

    def command_line(self) -> str:
        """The ``senga bench`` command that runs this configuration."""
        args = ["senga", "bench"]
        for spec in self.train:
            args += ["--train", spec]
        for spec in self.tests:
            args += ["--test", spec]
        args += [
            "--presets",
            ",".join(self.presets) or "none",
            "--steps",
            str(self.steps),
            "--out",
            str(self.out),
        ]
        for ab in self.ablations:
            args += ["--ablation", ab]
        args += ["--seed", str(self.seed)]
        for flag, value in (
            ("--batch", self.batch),
            ("--crop", self.crop),
            ("--device", self.device),
            ("--val", self.val),
        ):
            if value is not None:
                args += [flag, str(value)]
        args += ["--classical", ",".join(self.classical) or "none"]
        if any(t.strip() == "synth" for t in self.tests):
            args += ["--synth-test-n", str(self.synth_test_n)]
            if self.synth_test_size != SYNTH_TEST_SIZE:
                args += ["--synth-test-size", str(self.synth_test_size)]
        for key, value in self.overrides.items():
            args += ["--set", f"{key}={value}"]
        if self.resume:
            args.append("--resume")
        return shlex.join(args)


def _eval_device(device: str | None) -> torch.device:
    """Inference device: as given, or (None / "auto") CUDA when present, like the trainer."""
    return resolve_device("auto" if device is None else device)


@dataclass
class _TestSet:
    spec: TestSpec
    path: Path
    pairs: Sequence[NamedPair]
    names: list[str]
    figure_names: list[str]


def _figure_picks(names: list[str], k: int) -> list[str]:
    """``k`` names spread evenly over the sorted test set (first and last included)."""
    if k <= 0 or not names:
        return []
    idx = sorted({int(round(i)) for i in np.linspace(0, len(names) - 1, min(k, len(names)))})
    return [names[i] for i in idx]


def _load_test_sets(cfg: BenchConfig, backend: Backend, log: Callable[[str], None]) -> list[_TestSet]:
    out = []
    specs = parse_test_specs(cfg.tests)
    if any(s.is_synthetic for s in specs):
        check_training_specs(cfg.train, cfg.synth_test_seed)
    for spec in specs:
        if spec.is_synthetic:
            path = cfg.out / SYNTH_DIRNAME
            if not path.exists():
                log(
                    f"making the synthetic test set: {cfg.synth_test_n} images, seed {cfg.synth_test_seed}, in {path}"
                )
            synthetic_test_set(
                path, cfg.synth_test_n, cfg.synth_test_seed, cfg.synth_test_size, backend=backend
            )
        else:
            assert spec.path is not None
            path = spec.path
            check_test_folder(spec.name, path)
        try:
            pairs = backend.load_pairs(path)
        except (ValueError, FileNotFoundError) as err:
            raise ValueError(f"--test {spec.name}: {err}") from None
        names = getattr(pairs, "names", None)  # PairedFolder knows them without decoding images
        names = (
            [str(n) for n in names] if names is not None else [str(pairs[i][2]) for i in range(len(pairs))]
        )
        if not names:
            raise ValueError(f"--test {spec.name}: {path}: no image pairs")
        out.append(_TestSet(spec, path, pairs, names, _figure_picks(names, cfg.figure_rows)))
    return out


def _train_overrides(cfg: BenchConfig, variant: Variant) -> dict[str, Any]:
    overrides: dict[str, Any] = {"data": list(cfg.train), "steps": cfg.steps, "seed": cfg.seed}
    for key in ("batch", "crop", "device", "val"):
        if getattr(cfg, key) is not None:
            overrides[key] = getattr(cfg, key)
    overrides.update(cfg.overrides)
    overrides.update(variant.overrides)
    return overrides


def _recipe(cfg: BenchConfig, variant: Variant) -> dict[str, Any]:
    """What identifies a trained run (device excluded: moving machines is fine)."""
    recipe = {k: v for k, v in _train_overrides(cfg, variant).items() if k != "device"}
    recipe["preset"] = variant.preset
    return json.loads(json.dumps(recipe, default=str))


def _write_text(path: Path, text: str) -> None:
    with atomic_write_path(path) as tmp:
        tmp.write_text(text)


def _write_outputs(result: BenchResult, out: Path) -> None:
    for ts in result.test_sets:
        result.claims[ts.name] = [c.to_dict() for c in check_claims(result.means(ts.name))]
    _write_text(out / "results.json", json.dumps(result.to_dict(), indent=2) + "\n")
    _write_text(out / "results.md", results_markdown(result))


def run_bench(
    cfg: BenchConfig,
    backend: Backend | None = None,
    log: Callable[[str], None] | None = None,
) -> BenchResult:
    """Train every variant, score everything on every test set, write the reports.

    Everything that can be checked before training is checked first (config,
    test folders, presets and overrides via ``get_preset``, classical names), so a
    mistake fails in seconds, not after the first model trained.

    Raises:
        ValueError: a bad field, preset, override, test folder or classical method,
            or an earlier run in ``cfg.out`` that cannot be resumed (naming it).
    """
    backend = backend or default_backend()
    if log is None:
        log = (
            (lambda msg: print(f"senga bench: {msg}", file=sys.stderr)) if cfg.progress else (lambda _m: None)
        )
    cfg.validate()
    variants = plan_variants(list(cfg.presets), list(cfg.ablations))
    for name in cfg.classical:
        if name not in backend.classical:
            raise ValueError(f"--classical: unknown method {name!r} (valid: {', '.join(backend.classical)})")
    configs = []
    for v in variants:
        try:
            configs.append(backend.get_preset(v.preset, **_train_overrides(cfg, v)))
        except (ValueError, KeyError, TypeError) as err:
            msg = first_line(str(err).strip("'\""), type(err).__name__)  # KeyError quotes its text
            raise ValueError(f"bench row {v.name!r}: {msg}") from None
    cfg.out.mkdir(parents=True, exist_ok=True)
    test_sets = _load_test_sets(cfg, backend, log)
    device = _eval_device(cfg.device)

    result = BenchResult(
        command=cfg.command or cfg.command_line(),
        date=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        machine=machine_info(),
        budget={
            "steps": cfg.steps,
            "batch": cfg.batch,
            "crop": cfg.crop,
            "seed": cfg.seed,
            "device": cfg.device,
            "train": list(cfg.train),
            "val": cfg.val,
            "overrides": dict(cfg.overrides),
            "train_seconds_total": None,
        },
        test_sets=[
            TestSetInfo(t.spec.name, str(t.path), t.names, synthetic=t.spec.is_synthetic) for t in test_sets
        ],
        methods=[],
        out_dir=str(cfg.out),
    )
    # predictions kept for the figure: test name -> method name -> image name -> ink
    kept: dict[str, dict[str, dict[str, np.ndarray]]] = {t.spec.name: {} for t in test_sets}

    def score(method: str, predictor: Any) -> dict[str, Any]:
        evaluations = {}
        for t in test_sets:
            picks = set(t.figure_names)
            store = kept[t.spec.name].setdefault(method, {})
            pred_dir = cfg.out / "predictions" / t.spec.name / run_slug(method)

            def keep(name: str, ink8: np.ndarray, store=store, picks=picks, pred_dir=pred_dir) -> None:
                if name in picks:
                    store[name] = ink8
                if cfg.save_predictions:
                    write_ink(pred_dir / f"{name}.png", ink8)

            log(f"{method}: scoring on {t.spec.name} ({len(t.names)} images)")
            evaluations[t.spec.name] = evaluate(
                predictor, t.pairs, tiling=cfg.tiling, device=device, name=method, keep=keep
            )
        return evaluations

    runs_dir = cfg.out / "runs"
    for variant, config in zip(variants, configs):
        run = train_or_resume(
            variant.name,
            config,
            _recipe(cfg, variant),
            runs_dir,
            cfg.resume,
            backend,
            progress=cfg.progress,
            log=log,
        )
        model = backend.load_model(run.checkpoint)
        result.methods.append(
            MethodResult(
                name=variant.name,
                label=variant.label,
                kind="learned",
                preset=variant.preset,
                overrides=json.loads(json.dumps(variant.overrides, default=str)),
                ablation=variant.ablation,
                run_dir=str(run.run_dir),
                checkpoint=str(run.checkpoint),
                train_seconds=run.seconds,
                steps=run.steps,
                evaluations=score(variant.name, model),
            )
        )
        del model
        _write_outputs(result, cfg.out)

    for name in cfg.classical:
        method = backend.classical[name]
        result.methods.append(
            MethodResult(
                name=name,
                label=CLASSICAL_LABELS.get(name, name),
                kind="classical",
                evaluations=score(name, method),
            )
        )
    learned_seconds = [m.train_seconds for m in result.methods if m.train_seconds is not None]
    result.budget["train_seconds_total"] = float(sum(learned_seconds)) if learned_seconds else None

    figure_methods = [m for m in result.methods if m.ablation is None]
    rows = []
    for t in test_sets:
        for name in t.figure_names:
            index = t.names.index(name)
            rgb, gt, _ = t.pairs[index]
            preds = [kept[t.spec.name][m.name][name] for m in figure_methods]
            rows.append(FigureRow(rgb=rgb, gt=gt, predictions=preds, label=f"{t.spec.name}/{name}"))
            result.figure_rows.append({"test": t.spec.name, "image": name})
    if rows:
        grid = comparison_figure(
            rows,
            [m.label for m in figure_methods],
            cell=cfg.figure_cell,
        )
        with atomic_write_path(cfg.out / "comparison.png") as tmp:
            grid.save(tmp, format="PNG")
        result.figure = "comparison.png"
    _write_outputs(result, cfg.out)
    log(f"wrote {cfg.out / 'results.md'}, {cfg.out / 'results.json'}" + (", comparison.png" if rows else ""))
    return result
