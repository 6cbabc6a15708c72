"""The training loop: ``train(config, run_dir)`` -> a run folder with checkpoints and metrics.

Run folder (``RUN``)::

    config.json           the resolved TrainConfig (what --resume reads)
    metrics.csv           loss terms, lr, throughput, validation P/R/F1/RMSE
    train.log             events; tb/ TensorBoard events when tensorboard is installed
    samples/step_XXXXXX.png   input | prediction | ground truth
    last/                 latest checkpoint: model + training state (resume from here)
    best/                 best validation F1 (only with a validation set)

Per step: batch ``t`` of the data stream -> one optimizer step (a
:class:`~senga.train.steps.TrainStep`) -> every ``log_every``
a metrics row, every ``val_every`` validation (best/ when F1 improved), every
``sample_every`` a sample grid, every ``ckpt_every`` last/ (all of them also
at the final step). A non-finite loss stops the run before the bad update, with
last/ untouched.

Resume restores the weights, optimizer states, step, best F1 and RNG states
from ``RUN/last``; the data stream restarts at batch ``step`` (a pure function
of ``(seed, rank, index)``), so a resumed run follows the uninterrupted one
exactly on the same hardware.

Example::

    from senga.train import get_preset, train

    result = train(get_preset("ours", data=["synth"], val="synth:n=4", steps=2000), "runs/ours")
    result.best_dir  # -> runs/ours/best, loadable by senga.models.from_pretrained
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from senga.data.paired import NamedPair
from senga.errors import SengaError
from senga.evaluate import evaluate
from senga.models import SengaGenerator, from_pretrained
from senga.train import checkpoint as ckpt
from senga.train.config import TrainConfig
from senga.train.data import load_training_data, load_validation_sets
from senga.train.distributed import DistContext, all_finite, gather_objects, setup, teardown
from senga.train.preflight import check_memory
from senga.train.runlog import RunLog
from senga.train.samples import sample_inputs, write_samples
from senga.train.steps import TrainStep, build_step, lr_at

#: Called after every completed step (after any checkpoint of that step): ``on_step(step, generator)``.
StepHook = Callable[[int, nn.Module], None]

CONFIG_JSON = "config.json"
#: Config fields that may differ between a run and its resumption.
RESUMABLE_CHANGES = frozenset(
    {
        "steps",
        "epochs",
        "lr",
        "grad_clip",
        "log_every",
        "val_every",
        "ckpt_every",
        "sample_every",
        "workers",
        "device",
        "val",
        "val_tile",
        "val_overlap",
        "amp",
        "channels_last",
        "sync_bn",
    }
)


class TrainingError(ValueError):
    """Training cannot start or go on; the message says why and what to do."""


class NonFiniteLossError(TrainingError):
    """The loss became NaN or infinite; the run stopped before applying that update."""


@dataclass
class TrainResult:
    """What :func:`train` returns.

    Attributes:
        run_dir: the run folder.
        best_dir: ``RUN/best`` (best validation F1), or None when the run has no validation set.
        last_dir: ``RUN/last``, the final checkpoint.
        steps: optimizer steps done in total (including before a resume).
        seconds: training wall time in total, excluding validation, sample grids and checkpoints.
        best_f1: best validation F1, or None without validation.
        history: metrics.csv rows as dicts.
    """

    run_dir: Path
    best_dir: Path | None
    last_dir: Path
    steps: int
    seconds: float
    best_f1: float | None
    history: list[dict[str, float]] = field(default_factory=list)


def train(
    config: TrainConfig,
    run_dir: str | os.PathLike[str],
    resume: bool = False,
    progress: bool = True,
    on_step: StepHook | None = None,
) -> TrainResult:
    """Train ``config`` into ``run_dir`` (or continue it with ``resume=True``).

    Under ``torchrun`` every rank calls this; rank 0 writes the run folder.

    Args:
        config: the run's configuration (on resume, normally ``TrainConfig.load(RUN/config.json)``,
            possibly with more ``steps``).
        run_dir: the run folder; must not hold a run unless ``resume``.
        resume: continue from ``RUN/last``.
        progress: show a progress bar (step, loss, samples/s, ETA).
        on_step: optional hook after each step (tests, custom logging).

    Raises:
        TrainingError: the folder already holds a run (or nothing to resume), or a non-finite loss.
        ValueError: bad data specs or config values (before any training happens).
    """
    config.validate()
    check_memory(config.crop, config.batch)  # before the run folder or any batch exists
    ctx = setup(config.device)
    try:
        return _Run(config, Path(run_dir), ctx, progress, on_step).run(resume)
    finally:
        teardown(ctx)


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


class _Run:
    """State of one :func:`train` call (kept out of the public API)."""

    def __init__(
        self, config: TrainConfig, run_dir: Path, ctx: DistContext, progress: bool, on_step: StepHook | None
    ) -> None:
        self.config, self.run_dir, self.ctx = config, run_dir, ctx
        self.progress, self.on_step = progress and ctx.is_main, on_step

    # ------------------------------------------------------------------ setup
    def _check_folder(self, resume: bool) -> None:
        if resume:
            if ckpt.recover_checkpoint(self.run_dir, "last") is None:
                raise TrainingError(
                    f"{self.run_dir}: nothing to resume (no last/ checkpoint); start it again with --out {self.run_dir}"
                )
            saved = self.run_dir / CONFIG_JSON
            if saved.is_file():
                before = TrainConfig.load(saved).to_dict()
                now = self.config.to_dict()
                changed = [k for k in now if now[k] != before.get(k) and k not in RESUMABLE_CHANGES]
                if changed:
                    raise TrainingError(
                        f"{self.run_dir}: cannot resume with a different {changed[0]!r} "
                        f"(saved {before.get(changed[0])!r}, given {now[changed[0]]!r}); start a new run instead"
                    )
        elif self.run_dir.exists() and not self.run_dir.is_dir():
            raise TrainingError(f"{self.run_dir}: is a file; --out needs a folder")
        # a folder whose start failed before its first checkpoint (config.json, logs, no last/) is reused
        elif any(ckpt.recover_checkpoint(self.run_dir, name) is not None for name in ("last", "best")):
            raise TrainingError(
                f"{self.run_dir}: already holds a run; continue it with --resume {self.run_dir} "
                "or choose another --out"
            )

    def _load(self, stepper: TrainStep) -> dict[str, Any]:
        last = self.run_dir / "last"
        state = ckpt.read_training_state(last)
        ckpt.load_weights_into(stepper.generator, last)
        if stepper.discriminator is not None:
            ckpt.load_weights_into(stepper.discriminator, last / ckpt.DISCRIMINATOR_DIR)
        for name, opt in stepper.optimizers.items():
            opt.load_state_dict(state["optimizers"][name])
        return state

    def _init_from(self, stepper: TrainStep, init: str) -> None:
        """Fine-tuning: copy pretrained weights (a bundled model's name such as ``"default"``, or a
        model folder: :mod:`senga.weights`) into the generator.

        The pretrained model must be the run's model with the same config, so that
        the weights mean the same thing; a mismatch is a :class:`TrainingError`.
        Its ``ink_floor`` (an eval-time output setting, not part of what the weights
        mean) is adopted, and recorded in the run's ``model_config`` so ``--resume``
        and the saved models keep it.
        """
        try:
            pretrained = from_pretrained(init)
        except SengaError as err:  # a bad folder, or a bundled model that is not installed
            raise TrainingError(f"--init: {err}") from None
        generator = stepper.generator
        ours, theirs = getattr(generator, "config", None), getattr(pretrained, "config", None)
        floor = getattr(theirs, "ink_floor", None)
        if (
            floor is not None
            and isinstance(generator, SengaGenerator)
            and generator.config.ink_floor != floor
        ):
            ours = generator.config = replace(generator.config, ink_floor=floor)
            self.config.model_config = {**self.config.model_config, "ink_floor": floor}
        if type(pretrained) is not type(stepper.generator) or ours != theirs:
            raise TrainingError(
                f"--init {init}: its model ({type(pretrained).__name__} {theirs}) differs from the run's "
                f"({self.config.model} {ours}); set --set model=... / model_config.FIELD=... to match"
            )
        stepper.generator.load_state_dict(pretrained.state_dict(), strict=True)

    # ------------------------------------------------------------------ run
    def run(self, resume: bool) -> TrainResult:
        config, ctx, run_dir = self.config, self.ctx, self.run_dir
        if ctx.is_main:
            self._check_folder(resume)
        data = load_training_data(config, ctx)
        total = data.total_steps()
        val_sets = load_validation_sets(config) if ctx.is_main else {}
        val_pairs = next(iter(val_sets.values()), [])

        _seed_everything(config.seed)  # identical initial weights on every rank
        stepper = build_step(config, ctx)
        state: dict[str, Any] = {}
        if resume:
            state = self._load(stepper)
        elif config.init is not None:
            self._init_from(stepper, config.init)
        stepper.distribute()
        if not resume:
            torch.manual_seed(config.seed + 1 + ctx.rank)  # per-rank stream for dropout etc.
        step = int(state.get("step", 0))
        self.best_f1: float | None = state.get("best_f1")
        self.best_step: int | None = state.get("best_step")
        self.seconds = float(state.get("seconds", 0.0))
        self.last_ckpt_step: int | None = step if resume else None

        log = RunLog(run_dir, stepper.terms, ctx.is_main, keep_until=step if resume else None)
        try:
            if ctx.is_main:
                config.save(run_dir / CONFIG_JSON)
                verb = f"resuming at step {step}" if resume else "starting"
                log.info(
                    f"{verb}: {total} steps, model {config.model}, loss {config.loss}, device {ctx.device}, "
                    f"world size {ctx.world_size}, batch {config.batch}, crop {config.crop}"
                )
            samples = sample_inputs(val_pairs or (data.preview_pairs(4) if ctx.is_main else []))
            batches = data.batches(step, total)
            if resume:  # after the loader exists: creating it may draw from the global RNG
                rngs = state.get("rng", [])
                if ctx.rank < len(rngs):
                    ckpt.restore_rng(rngs[ctx.rank])
            step = self._loop(stepper, batches, step, total, log, val_sets, samples)
        except BaseException as err:
            log.error(f"stopped: {type(err).__name__}: {err}")
            raise
        finally:
            log.close()
        best = run_dir / "best"
        return TrainResult(
            run_dir=run_dir,
            best_dir=best if best.exists() and val_pairs else None,
            last_dir=run_dir / "last",
            steps=step,
            seconds=self.seconds,
            best_f1=self.best_f1,
            history=list(log.history),
        )

    def _guard(self, step: int) -> Callable[[str, torch.Tensor], None]:
        def guard(name: str, value: torch.Tensor) -> None:
            if all_finite(value, self.ctx):
                return
            if self.last_ckpt_step is None:
                kept = "no checkpoint was written yet"
            else:
                kept = f"the last good checkpoint is {self.run_dir / 'last'} (step {self.last_ckpt_step})"
            raise NonFiniteLossError(
                f"step {step}: {name} is {float(value.detach().float().mean())} (not finite); training stopped "
                f"before this update, {kept}; try a lower --lr or --set grad_clip=1.0 and --resume"
            )

        return guard

    def _loop(
        self,
        stepper: TrainStep,
        batches: Iterator[tuple[torch.Tensor, torch.Tensor]],
        step: int,
        total: int,
        log: RunLog,
        val_sets: dict[str, list[NamedPair]],
        samples: list[tuple[np.ndarray, np.ndarray]],
    ) -> int:
        """Steps ``step+1 .. total``; returns the step reached."""
        config, ctx = self.config, self.ctx
        bar = tqdm(total=total, initial=step, disable=not self.progress, unit="step", dynamic_ncols=True)
        sums: dict[str, float] = {}
        window_start, window_seconds = step, 0.0
        tick = time.perf_counter()
        try:
            for rgb, ink in batches:
                if step >= total:
                    break
                if config.channels_last:
                    rgb = rgb.contiguous(memory_format=torch.channels_last)
                lr = lr_at(step, total, config)  # from the config, so a resume may change it
                for opt in stepper.optimizers.values():
                    for group in opt.param_groups:
                        group["lr"] = lr * group.get("lr_mult", 1.0)
                terms = stepper.step(rgb, ink, self._guard(step + 1))
                step += 1
                for k, v in terms.items():
                    sums[k] = sums.get(k, 0.0) + float(v)
                elapsed = time.perf_counter() - tick
                self.seconds += elapsed
                window_seconds += elapsed

                row: dict[str, float] = {}
                if step % config.log_every == 0 or step == total:
                    n = step - window_start
                    row = {
                        "step": step,
                        "seconds": round(self.seconds, 3),
                        "lr": lr,
                        "samples_per_s": n * config.batch * ctx.world_size / max(window_seconds, 1e-9),
                        **{k: v / n for k, v in sums.items()},
                    }
                    bar.set_postfix(loss=f"{row['loss']:.4g}", samples_s=f"{row['samples_per_s']:.1f}")
                    sums, window_start, window_seconds = {}, step, 0.0
                self._after_step(stepper, step, total, row, log, val_sets, samples)
                bar.update(1)
                if self.on_step is not None:
                    self.on_step(step, stepper.generator)
                tick = time.perf_counter()
        finally:
            bar.close()
        if ctx.is_main:
            log.info(
                f"finished at step {step} after {self.seconds:.1f} s of training; best F1 {self.best_f1}"
            )
        return step

    def _after_step(
        self,
        stepper: TrainStep,
        step: int,
        total: int,
        row: dict[str, float],
        log: RunLog,
        val_sets: dict[str, list[NamedPair]],
        samples: list[tuple[np.ndarray, np.ndarray]],
    ) -> None:
        """Validation, sample grid, metrics row (rank 0) and last/ checkpoint when due at ``step``."""
        config, last_step = self.config, step == total
        if self.ctx.is_main:
            if val_sets and (step % config.val_every == 0 or last_step):
                scores = self._validate(stepper, step, val_sets, log)
                row = {"step": step, "seconds": round(self.seconds, 3), **row, **scores}
            if samples and (step % config.sample_every == 0 or last_step):
                path = self.run_dir / "samples" / f"step_{step:06d}.png"
                write_samples(path, stepper.generator, samples, self.ctx.device)
            if row:
                log.row(row)
        if step % config.ckpt_every == 0 or last_step:
            self._save_last(stepper, step, total)

    # ------------------------------------------------------------------ events
    def _validate(
        self, stepper: TrainStep, step: int, val_sets: dict[str, list[NamedPair]], log: RunLog
    ) -> dict[str, float]:
        """Score every validation set (:func:`senga.evaluate.evaluate`, tiled as ``senga extract``);
        ``best/`` follows the worst set's F1 (the only set's, with one)."""
        cfg = self.config
        per_set = {
            spec: evaluate(
                stepper.generator,
                pairs,
                tiling=cfg.val_tiling,
                device=self.ctx.device,
                name=f"validation {spec}",
            ).mean
            for spec, pairs in val_sets.items()
        }
        scores = min(per_set.values(), key=lambda s: s["F1"])
        improved = self.best_f1 is None or scores["F1"] > self.best_f1
        if improved:
            self.best_f1, self.best_step = scores["F1"], step
            info: dict[str, Any] = {"step": step, "scores": scores}
            if len(per_set) > 1:
                info["sets"] = per_set
            ckpt.write_checkpoint(self.run_dir, "best", stepper.generator, info)
        best = " (best)" if improved else f" (best F1 {self.best_f1:.4f} at step {self.best_step})"
        message = (
            f"step {step}: validation P {scores['P']:.4f} R {scores['R']:.4f} F1 {scores['F1']:.4f} "
            f"RMSE {scores['RMSE']:.4f}{best}"
        )
        if len(per_set) > 1:
            message += (
                " [worst of: " + ", ".join(f"{spec} F1 {s['F1']:.4f}" for spec, s in per_set.items()) + "]"
            )
        log.info(message)
        if self.progress:
            tqdm.write(message)
        return {f"val_{k}": v for k, v in scores.items()}

    def _save_last(self, stepper: TrainStep, step: int, total: int) -> None:
        rngs = gather_objects(ckpt.capture_rng(), self.ctx)  # every rank's RNG, collected on all
        if not self.ctx.is_main:
            self.last_ckpt_step = step
            return
        state = {
            "step": step,
            "total_steps": total,
            "world_size": self.ctx.world_size,
            "data_position": {"batch": step, "samples_per_rank": step * self.config.batch},
            "scheduler": {"name": self.config.lr_schedule, "step": step},
            "best_f1": self.best_f1,
            "best_step": self.best_step,
            "seconds": self.seconds,
            "optimizers": {name: opt.state_dict() for name, opt in stepper.optimizers.items()},
            "rng": rngs,
        }
        ckpt.write_checkpoint(
            self.run_dir,
            "last",
            stepper.generator,
            {"step": step},
            state=state,
            discriminator=stepper.discriminator,
        )
        self.last_ckpt_step = step
