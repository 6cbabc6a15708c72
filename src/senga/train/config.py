"""The training configuration: one dataclass, its defaults are the paper's.

A run folder stores the *resolved* config as ``RUN/config.json``; ``senga train
--resume RUN`` reads it back, so a run never depends on the flags that started it.

Overrides use field names (``crop=64``) or dotted paths into the dict fields
(``loss_params.bce_weight=0.01``, ``model_config.morph_input=true``). Any name
that is not a field is an error that lists the valid ones.

Example::

    cfg = TrainConfig(data=["synth"], steps=1000)
    cfg = apply_overrides(cfg, {"crop": 128, "loss_params.indicator": "power:100"})
    TrainConfig.from_json(cfg.to_json()) == cfg  # True
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from senga.errors import check_known
from senga.extract.tiling import Tiling
from senga.io import atomic_write_path

#: Loss parameters of the paper's method: 1 x 1/F1~ + 0.001 x BCE, f_linear (0.1, 0.9), cancellation on.
PAPER_LOSS_PARAMS: dict[str, Any] = {
    "indicator": "linear:0.1,0.9",
    "cancellation": True,
    "f1_weight": 1.0,
    "bce_weight": 0.001,
}

#: The paper trains "up to 20,000 epochs" (the default when neither steps nor epochs is set).
PAPER_EPOCHS: int = 20000

LR_SCHEDULES: tuple[str, ...] = ("constant", "cosine")
AMP_MODES: tuple[str, ...] = ("none", "bf16")


class ConfigError(ValueError):
    """A config field is unknown or has a bad value; the message names the field."""


@dataclass
class TrainConfig:
    """Everything a training run needs. Defaults follow docs/paper.md, "Training setup".

    Exactly one of ``steps`` / ``epochs`` is set. An *epoch* is ``epoch_size``
    training pairs (default: the number of pairs in the folder sources, as in the
    paper's 60-pair epochs), i.e. ``ceil(epoch_size / (batch * world_size))`` steps.
    """

    # --- model -------------------------------------------------------------
    model: str = "senga"  # senga.models registry name: "senga" (attention), "senga-noattn", "pix2pix-unet"
    model_config: dict[str, Any] = field(
        default_factory=dict
    )  # passed to create_model(model, **model_config)
    init: str | None = None  # fine-tuning: from these weights ("default", "fast", a folder); None = random
    teacher: str | None = (
        None  # distillation: a frozen teacher ("default", a folder); see senga.train.distill
    )
    distill_params: dict[str, Any] = field(
        default_factory=dict
    )  # soft_weight, gt_weight (senga.train.distill)

    # --- loss --------------------------------------------------------------
    loss: str = "paper"  # senga.losses.build_loss name: "paper", "dice", "laplacian"; "pix2pix" for GAN
    loss_params: dict[str, Any] = field(default_factory=lambda: dict(PAPER_LOSS_PARAMS))

    # --- pix2pix (only used when `discriminator` is set) ------------------------
    discriminator: str | None = None  # e.g. "patchgan" (70x70); None = plain supervised training
    discriminator_config: dict[str, Any] = field(default_factory=dict)
    lambda_l1: float = 100.0  # Isola et al.: G loss = cGAN + lambda_l1 * L1 (L1 on the [-1, 1] scale)

    # --- data --------------------------------------------------------------
    data: list[str] = field(default_factory=list)  # "DIR[:weight=W]" or "synth[:weight=W,seed=S,size=N]"
    # "DIR" or "synth:n=8,seed=S"; a list of several sets picks best/ by the worst set's F1; None = no validation
    val: str | list[str] | None = None
    crop: int = 256  # paper: 256x256 random crops
    augment: dict[str, Any] = field(default_factory=dict)  # extra senga.data.augment.AugmentConfig fields
    epoch_size: int | None = None  # pairs per epoch; None = pairs in the folder sources
    preload: bool = False  # paper: whole dataset on the device, augmented there
    workers: int = 2  # DataLoader worker processes (0 = in the main process)

    # --- optimisation ----------------------------------------------------------
    batch: int = 15  # per process; paper: 15
    steps: int | None = None  # optimizer steps; set this or `epochs`
    epochs: int | None = None  # None (and no steps): the paper's 20,000 epochs
    lr: float = 1e-3  # paper: Adam lr 0.001
    attention_lr_mult: float = (
        1.0  # lr factor of the attention modules' 11 parameters (paper: 1; preset ours: see docs)
    )
    betas: tuple[float, float] = (0.9, 0.999)  # paper: Adam betas 0.9 / 0.999
    weight_decay: float = 0.0
    lr_schedule: str = "constant"  # paper: constant; "cosine" decays to lr * min_lr_ratio at the last step
    warmup_steps: int = 0  # linear warm-up from 0 (not in the paper)
    min_lr_ratio: float = 0.0  # floor of the cosine schedule, as a fraction of lr
    grad_clip: float | None = None  # max global gradient norm; None = off (paper: off)
    seed: int = 0

    # --- bookkeeping -------------------------------------------------------
    log_every: int = 50  # steps between metrics.csv rows
    val_every: int = 1000  # steps between validations (also always at the last step)
    ckpt_every: int = 1000  # steps between last/ checkpoints (also always at the last step)
    sample_every: int = 1000  # steps between sample grids (also at the last step)
    val_tile: int = 1024  # tiled full-image inference for validation (= senga extract's defaults)
    val_overlap: int = 128

    # --- hardware ------------------------------------------------------------
    device: str = "auto"  # "auto" (CUDA when present), "cpu", "cuda", "cuda:1"
    amp: str = "none"  # "none" or "bf16" (autocast; losses run in float32)
    channels_last: bool = False
    sync_bn: bool = False  # convert BatchNorm to SyncBatchNorm under DDP

    # ----------------------------------------------------------------------
    def __post_init__(self) -> None:
        self.validate()

    @property
    def val_tiling(self) -> Tiling:
        """Validation's tiled inference (``val_tile``, ``val_overlap``) as one :class:`Tiling`."""
        return Tiling(self.val_tile, self.val_overlap)

    def validate(self) -> None:
        """Check values; raises :class:`ConfigError` naming the field."""
        hints = _field_types()
        for f in dataclasses.fields(self):
            setattr(self, f.name, _coerce(f.name, getattr(self, f.name), hints[f.name]))
        for name in ("crop", "batch", "log_every", "val_every", "ckpt_every", "sample_every"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name}: must be >= 1, got {getattr(self, name)}")
        try:  # validation's tiled inference, checked where the tiling is defined
            _ = self.val_tiling
        except ValueError as err:
            raise ConfigError(f"val_tile / val_overlap: {err}") from None
        for name in ("workers", "warmup_steps"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{name}: must be >= 0, got {getattr(self, name)}")
        if self.steps is not None and self.epochs is not None:
            raise ConfigError("steps/epochs: set one of them, not both")
        if self.steps is None and self.epochs is None:
            self.epochs = PAPER_EPOCHS
        for name in ("steps", "epochs", "epoch_size"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ConfigError(f"{name}: must be >= 1, got {value}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ConfigError(f"lr: must be a positive number, got {self.lr}")
        if not all(0.0 <= b < 1.0 for b in self.betas):
            raise ConfigError(f"betas: each must be in [0, 1), got {self.betas}")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ConfigError(f"lr_schedule: unknown {self.lr_schedule!r} (valid: {', '.join(LR_SCHEDULES)})")
        if self.amp not in AMP_MODES:
            raise ConfigError(f"amp: unknown {self.amp!r} (valid: {', '.join(AMP_MODES)})")
        if self.grad_clip is not None and not self.grad_clip > 0:
            raise ConfigError(f"grad_clip: must be > 0 or null, got {self.grad_clip}")
        if not self.device or not (self.device in ("auto", "cpu") or self.device.startswith("cuda")):
            raise ConfigError(f"device: expected auto, cpu, cuda or cuda:N, got {self.device!r}")

    # ----------------------------------------------------------------------
    @classmethod
    def from_dict(cls, values: dict[str, Any], source: str = "config") -> TrainConfig:
        """Build from a plain dict; an unknown key is a :class:`ConfigError` listing the valid ones."""
        if not isinstance(values, dict):
            raise ConfigError(f"{source}: expected a JSON object, got {type(values).__name__}")
        check_known(values, field_names(), source, error=ConfigError)
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists)."""
        return json.loads(self.to_json())

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2, sort_keys=False)

    @classmethod
    def from_json(cls, text: str, source: str = "config") -> TrainConfig:
        try:
            values = json.loads(text)
        except json.JSONDecodeError as err:
            raise ConfigError(f"{source}: not valid JSON ({err.msg} at line {err.lineno})") from None
        return cls.from_dict(values, source=source)

    @classmethod
    def load(cls, path: str | Path) -> TrainConfig:
        """Read a ``config.json`` written by :meth:`save` (e.g. ``RUN/config.json``)."""
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"{path}: no such config file")
        return cls.from_json(path.read_text(encoding="utf-8"), source=str(path))

    def save(self, path: str | Path) -> None:
        """Write the config as JSON, atomically."""
        with atomic_write_path(path) as tmp:
            tmp.write_text(self.to_json() + "\n", encoding="utf-8")


def field_names() -> list[str]:
    """Names of every :class:`TrainConfig` field, in declaration order."""
    return [f.name for f in dataclasses.fields(TrainConfig)]


def apply_overrides(config: TrainConfig, overrides: dict[str, Any]) -> TrainConfig:
    """A copy of ``config`` with fields replaced.

    Keys are field names or ``FIELD.KEY`` for the dict fields (``model_config``,
    ``loss_params``, ``discriminator_config``, ``augment``). Setting ``steps``
    clears ``epochs`` and vice versa. Values may be strings (from ``--set``): they
    are converted to the field's type.

    Raises:
        ConfigError: unknown field, or a value of the wrong type.
    """
    values = dataclasses.asdict(config)
    hints = _field_types()
    for key, value in overrides.items():
        name, _, sub = key.partition(".")
        check_known([name], field_names(), key, "config field", ConfigError)
        if sub:
            if not isinstance(values[name], dict):
                raise ConfigError(f"{key}: {name!r} is not a dict field, so it has no sub-key {sub!r}")
            values[name] = {**values[name], sub: parse_value(value) if isinstance(value, str) else value}
            continue
        values[name] = _coerce(name, value, hints[name])
        if name == "steps" and value is not None:
            values["epochs"] = None
        elif name == "epochs" and value is not None:
            values["steps"] = None
    return TrainConfig(**values)


def parse_sets(items: Iterable[str], typed: bool = False) -> dict[str, Any]:
    """``--set FIELD=VALUE`` items -> ``{FIELD: VALUE}`` (the one ``--set`` parser of the CLI).

    With ``typed`` each value goes through :func:`parse_value`; without, values
    stay strings and :func:`apply_overrides` converts them to their field's type.

    Raises:
        ConfigError: an item without ``=`` or with an empty field name.
    """
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set {item!r}: expected FIELD=VALUE")
        out[key.strip()] = parse_value(value) if typed else value
    return out


def parse_value(text: str) -> Any:
    """A ``--set`` value: JSON when it parses (``3``, ``1e-3``, ``true``, ``null``, ``[0.5, 0.9]``), else the string."""
    lowered = text.strip().lower()
    if lowered in ("on", "yes", "true"):
        return True
    if lowered in ("off", "no", "false"):
        return False
    if lowered in ("none", "null"):
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


# --------------------------------------------------------------------------- types
def _field_types() -> dict[str, Any]:
    return typing.get_type_hints(TrainConfig)


def _coerce(name: str, value: Any, annotation: Any) -> Any:
    """Convert ``value`` to ``annotation`` (strings are parsed first) or raise ConfigError."""
    if isinstance(value, str):
        if _allows(annotation, type(None)) and value.strip().lower() in ("none", "null"):
            return None
        if annotation is not str and not _allows(annotation, str):
            value = parse_value(value)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(annotation)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _coerce(name, value, option)
            except ConfigError as err:
                errors.append(str(err))
        raise ConfigError(errors[0] if errors else f"{name}: bad value {value!r}")
    expected = _type_name(annotation)
    if annotation is bool:
        if isinstance(value, bool):
            return value
    elif annotation is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif annotation is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif annotation is str:
        if isinstance(value, str):
            return value
    elif origin is tuple:
        args = typing.get_args(annotation)
        if isinstance(value, (list, tuple)) and len(value) == len(args):
            return tuple(_coerce(name, v, a) for v, a in zip(value, args))
    elif origin is list:
        (arg,) = typing.get_args(annotation)
        if isinstance(value, str):
            value = [value]
        if isinstance(value, (list, tuple)):
            return [_coerce(name, v, arg) for v in value]
    elif origin is dict:
        if isinstance(value, dict):
            return dict(value)
    else:  # pragma: no cover - every field type is handled above
        return value
    raise ConfigError(f"{name}: expected {expected}, got {value!r}")


def _allows(annotation: Any, kind: type) -> bool:
    if annotation is kind:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return kind in typing.get_args(annotation)
    return False


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")
