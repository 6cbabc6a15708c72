"""Training data sources: ``--data SPEC`` strings, the sources they name, validation sets.

A SPEC is either a paired folder or the on-the-fly synthetic stream, each with
optional ``key=value`` options after the last ``:``::

    data/mine                   # a paired folder (ROOT/color, ROOT/line), weight 1
    data/mine:weight=0.5        # ... drawn half as often as a weight-1 source
    synth                       # the synthetic stream (senga.data.synth), weight 1
    synth:weight=3,seed=7,size=512

Keys: ``weight`` (any source, a positive number: the source is picked for a
sample with probability weight / sum of weights, see :func:`pick_source`);
``seed`` (synth, integer >= 0, default 0) and ``size`` (synth, side in pixels,
default 512). The word ``synth`` always means the stream; write ``./synth`` for
a folder of that name. A *validation* spec (``--val``, parsed with
``validation=True``) may also give ``n`` (synth: number of pairs in the fixed set)::

    synth:n=8,seed=3            # 8 fixed synthetic validation pairs

This module is the one place that parses specs, builds sources
(:func:`open_sources`, :func:`load_validation`) and draws a source by weight.
Per-sample augmentation and batching build on it: :mod:`senga.data.mixing`
(the DataLoader path) and :mod:`senga.data.preload` (whole dataset on the device).
"""

from __future__ import annotations

import math
import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from senga.data.paired import ArrayPair, NamedPair, PairedFolder
from senga.data.synth import SynthConfig, SynthStream

#: The SPEC word naming the synthetic stream.
SYNTH = "synth"
#: Default seed of the synthetic *training* stream (``synth`` without ``seed=``).
DEFAULT_SYNTH_SEED = 0
#: Default side of synthetic pairs.
DEFAULT_SYNTH_SIZE = 512
#: Default seed of a synthetic *validation* set; differs from the training default.
VALIDATION_SEED = 1_000_003
#: Pairs in a synthetic validation set unless told otherwise.
DEFAULT_VALIDATION_PAIRS = 16

_FOLDER_KEYS = ("weight",)
_SYNTH_KEYS = ("weight", "seed", "size")
_SYNTH_VALIDATION_KEYS = (*_SYNTH_KEYS, "n")
_MIN_SYNTH_SIZE = 16


@dataclass(frozen=True)
class DataSpec:
    """A parsed ``--data SPEC``.

    Attributes:
        kind: ``"folder"`` or ``"synth"``.
        path: the folder (``kind == "folder"``), else ``None``.
        weight: mixing weight (> 0).
        seed: synthetic stream seed (``kind == "synth"``); ``None`` when the
            spec gives none (training uses :data:`DEFAULT_SYNTH_SEED`, a
            validation set :data:`VALIDATION_SEED`).
        size: synthetic pair side in pixels; ``None``: :data:`DEFAULT_SYNTH_SIZE`.
        n: pairs in a synthetic validation set (validation specs only); ``None``: the caller's default.
        text: the SPEC as written, for messages.
    """

    kind: str
    path: str | None = None
    weight: float = 1.0
    seed: int | None = None
    size: int | None = None
    n: int | None = None
    text: str = field(default="", compare=False)

    @classmethod
    def parse(cls, text: str) -> DataSpec:
        """Same as :func:`parse_data_spec`."""
        return parse_data_spec(text)

    def __str__(self) -> str:
        """The canonical SPEC (parses back to an equal spec)."""
        if self.kind == SYNTH:
            options = [f"weight={self.weight!r}"]
            options += [f"seed={self.seed}"] if self.seed is not None else []
            options += [f"size={self.size}"] if self.size is not None else []
            options += [f"n={self.n}"] if self.n is not None else []
            return f"{SYNTH}:{','.join(options)}"
        return f"{self.path}:weight={self.weight!r}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form for a run's resolved config."""
        if self.kind == SYNTH:
            out = {"kind": SYNTH, "weight": self.weight, "seed": self.seed, "size": self.size}
            return {**out, "n": self.n} if self.n is not None else out
        return {"kind": "folder", "path": self.path, "weight": self.weight}


def _bad(text: str, problem: str) -> ValueError:
    return ValueError(f"bad data spec {text!r}: {problem}")


def _number(text: str, key: str, value: str, integer: bool) -> float:
    try:
        number = int(value) if integer else float(value)
    except ValueError:
        kind = "an integer" if integer else "a number"
        raise _bad(text, f"{key}={value!r} is not {kind}") from None
    if not math.isfinite(number):
        raise _bad(text, f"{key}={value!r} is not finite")
    return number


def parse_data_spec(text: str, validation: bool = False) -> DataSpec:
    """Parse a ``--data SPEC`` string, or with ``validation`` a ``--val`` spec (see the module docstring).

    Raises:
        ValueError: naming the spec and the problem: empty spec, nonexistent
            folder, unknown key, malformed ``key=value``, repeated key, bad number.

    Example::

        parse_data_spec("synth:weight=3,seed=7")  # DataSpec(kind="synth", weight=3.0, seed=7, ...)
    """
    original = text
    text = text.strip()
    target, options = text, ""
    if ":" in text:
        head, tail = text.rsplit(":", 1)
        if "=" in tail or tail == "" or head == SYNTH:  # "C:\data" keeps its drive colon
            target, options = head, tail
    if not target:
        raise _bad(original, "empty source (expected a folder path or 'synth')")

    kind = SYNTH if target == SYNTH else "folder"
    allowed = (_SYNTH_VALIDATION_KEYS if validation else _SYNTH_KEYS) if kind == SYNTH else _FOLDER_KEYS
    values: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in options.split(","))):
        key, eq, value = item.partition("=")
        key = key.strip().lower()
        if not eq or not value.strip():
            raise _bad(original, f"option {item!r} is not key=value")
        if key not in allowed:
            raise _bad(original, f"unknown key {key!r} (valid for {kind}: {', '.join(allowed)})")
        if key in values:
            raise _bad(original, f"key {key!r} given twice")
        values[key] = value.strip()

    weight = _number(original, "weight", values["weight"], False) if "weight" in values else 1.0
    if weight <= 0:
        raise _bad(original, f"weight={values['weight']} must be > 0")

    if kind == SYNTH:
        seed = int(_number(original, "seed", values["seed"], True)) if "seed" in values else None
        size = int(_number(original, "size", values["size"], True)) if "size" in values else None
        if seed is not None and seed < 0:
            raise _bad(original, f"seed={seed} must be >= 0")
        if size is not None and size < _MIN_SYNTH_SIZE:
            raise _bad(original, f"size={size} must be >= {_MIN_SYNTH_SIZE}")
        n = int(_number(original, "n", values["n"], True)) if "n" in values else None
        if n is not None and n < 1:
            raise _bad(original, f"n={n} must be >= 1")
        return DataSpec(kind=SYNTH, weight=weight, seed=seed, size=size, n=n, text=original)

    folder = Path(target).expanduser()
    if not folder.exists():
        raise _bad(original, f"folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise _bad(original, f"{str(folder)!r} is a file, not a folder (expected ROOT with color/ and line/)")
    return DataSpec(kind="folder", path=str(folder), weight=weight, text=original)


# ----------------------------------------------------------------------------- sources


class Source(ABC):
    """Where training pairs come from. ``draw(rng)`` returns one full-size pair.

    Attributes:
        name: a label for logs.
        finite: ``True`` when the source is a fixed list of pairs (``pairs()`` works).
    """

    name: str = "source"
    finite: bool = True

    @abstractmethod
    def draw(self, rng: np.random.Generator) -> ArrayPair:
        """One pair ``(rgb (H,W,3) uint8, ink (H,W) float32)``, a pure function of ``rng``'s state."""

    def pairs(self) -> list[NamedPair]:
        """Every pair ``(rgb, ink, name)`` of a finite source."""
        raise ValueError(f"data source {self.name!r} is an endless stream; it has no fixed list of pairs")

    def __len__(self) -> int:
        raise ValueError(f"data source {self.name!r} is an endless stream; it has no length")


class FolderSource(Source):
    """A :class:`~senga.data.paired.PairedFolder`; ``draw`` picks a pair uniformly."""

    def __init__(self, folder: PairedFolder, name: str | None = None) -> None:
        self.folder = folder
        self.name = name or str(folder.root)

    def draw(self, rng: np.random.Generator) -> ArrayPair:
        rgb, ink, _ = self.folder[int(rng.integers(len(self.folder)))]
        return rgb, ink

    def pairs(self) -> list[NamedPair]:
        return [self.folder[i] for i in range(len(self.folder))]

    def __len__(self) -> int:
        return len(self.folder)


class ArraySource(Source):
    """Pairs already in memory (tests, small generated sets); ``draw`` picks uniformly."""

    def __init__(self, pairs: list[ArrayPair] | list[NamedPair], name: str = "arrays") -> None:
        if not pairs:
            raise ValueError(f"data source {name!r}: no pairs")
        self._pairs: list[NamedPair] = [
            (p[0], p[1], p[2] if len(p) > 2 else f"{name}-{i:04d}")  # type: ignore[misc]  # len() tells the tuple shapes apart
            for i, p in enumerate(pairs)
        ]
        self.name = name

    def draw(self, rng: np.random.Generator) -> ArrayPair:
        rgb, ink, _ = self._pairs[int(rng.integers(len(self._pairs)))]
        return rgb, ink

    def pairs(self) -> list[NamedPair]:
        return list(self._pairs)

    def __len__(self) -> int:
        return len(self._pairs)


class SynthSource(Source):
    """The endless synthetic stream: ``draw`` returns ``SynthStream(seed, size).pair(i)`` for a random ``i``.

    ``i`` is drawn from the sample's generator in ``[0, 2**31)``, so the pair
    is a pure function of (stream seed, training seed, rank, sample index).
    The generator object is created lazily in each process (DataLoader workers
    receive only the parameters).
    """

    finite = False
    INDEX_RANGE = 2**31

    def __init__(
        self,
        seed: int = DEFAULT_SYNTH_SEED,
        size: int = DEFAULT_SYNTH_SIZE,
        config: SynthConfig | None = None,
    ) -> None:
        self.seed, self.size, self.config = seed, size, config
        self.name = f"{SYNTH}:seed={seed},size={size}"
        self._stream: SynthStream | None = None

    def _get_stream(self) -> SynthStream:
        if self._stream is None:
            self._stream = SynthStream(seed=self.seed, size=self.size, config=self.config)
        return self._stream

    def pair_at(self, index: int) -> ArrayPair:
        """Pair ``index`` of this stream (what ``draw`` returns when it draws ``index``)."""
        rgb, ink = self._get_stream().pair(index)
        return rgb, ink

    def draw(self, rng: np.random.Generator) -> ArrayPair:
        return self.pair_at(int(rng.integers(self.INDEX_RANGE)))

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_stream"] = None
        return state


def build_source(
    spec: DataSpec | str, preload: bool = False, synth_config: SynthConfig | None = None
) -> Source:
    """Make the :class:`Source` a spec names; folders are validated here.

    Args:
        spec: a :class:`DataSpec` or a SPEC string.
        preload: for folders, decode every pair once and keep it in memory.
        synth_config: a ``senga.data.synth.SynthConfig`` for the synthetic stream (default config if ``None``).

    Raises:
        ValueError: bad spec; :class:`~senga.data.paired.DatasetError` for a bad folder.
    """
    if isinstance(spec, str):
        spec = parse_data_spec(spec)
    if spec.kind == SYNTH:
        return SynthSource(
            seed=DEFAULT_SYNTH_SEED if spec.seed is None else spec.seed,
            size=DEFAULT_SYNTH_SIZE if spec.size is None else spec.size,
            config=synth_config,
        )
    assert spec.path is not None
    return FolderSource(PairedFolder(spec.path, preload=preload), name=spec.path)


def open_sources(specs: Sequence[DataSpec | str], preload: bool = False) -> tuple[list[Source], list[float]]:
    """Every source of ``--data`` specs (folders validated here, before training) and their mixing weights.

    Raises:
        ValueError: no specs, a bad spec; :class:`~senga.data.paired.DatasetError` for a bad folder.
    """
    if not specs:
        raise ValueError("data: no training data given (use --data DIR or --data synth)")
    parsed = [parse_data_spec(s) if isinstance(s, str) else s for s in specs]
    return [build_source(s, preload=preload) for s in parsed], [s.weight for s in parsed]


# ----------------------------------------------------------------------------- drawing a source by weight


def check_weights(weights: Sequence[float], n_sources: int) -> np.ndarray:
    """Mixing weights -> cumulative probabilities ``(n,) float64`` (last entry 1), for :func:`pick_source`.

    Raises:
        ValueError: wrong count, a weight that is not a finite number > 0, or no sources.
    """
    if n_sources == 0:
        raise ValueError("data: no training sources given (use --data SPEC)")
    if len(weights) != n_sources:
        raise ValueError(f"data: {len(weights)} weights for {n_sources} sources")
    w = np.asarray(weights, dtype=np.float64)
    if not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise ValueError(f"data: mixing weights must be finite and > 0, got {list(weights)}")
    cum = np.cumsum(w / w.sum())
    cum[-1] = 1.0
    return cum


def pick_source(cumulative: np.ndarray, rng: np.random.Generator) -> int:
    """Index of the source for one sample: ``P(k) = weight_k / sum(weights)`` (one ``rng.random()`` draw)."""
    return min(int(np.searchsorted(cumulative, rng.random(), side="right")), len(cumulative) - 1)


# ----------------------------------------------------------------------------- validation sets


def load_validation(
    dir_or_spec: str | os.PathLike[str] | DataSpec,
    n_synth: int = DEFAULT_VALIDATION_PAIRS,
    seed: int | None = None,
    size: int | None = None,
    synth_config: SynthConfig | None = None,
) -> list[NamedPair]:
    """A fixed validation set as a list of ``(rgb (H,W,3) uint8, ink (H,W) float32, name)``.

    Args:
        dir_or_spec: a paired folder, or ``"synth"`` / ``"synth:n=N,seed=S,size=Z"``
            for a fixed synthetic set (a validation spec, see :func:`parse_data_spec`).
        n_synth: number of synthetic pairs when the spec gives no ``n``.
        seed: synthetic seed when the spec gives none (default :data:`VALIDATION_SEED`,
            distinct from the training stream's default seed).
        size: synthetic side when the spec gives none (default 512).

    The synthetic set is pairs ``0 .. n_synth-1`` of ``SynthStream(seed, size)``,
    named ``synth-S-0000`` ...; the same arguments always give the same set.

    Raises:
        ValueError: bad spec; :class:`~senga.data.paired.DatasetError` for a bad folder.
    """
    if isinstance(dir_or_spec, DataSpec):
        spec = dir_or_spec
    elif str(dir_or_spec).strip().split(":", 1)[0] == SYNTH:
        spec = parse_data_spec(str(dir_or_spec), validation=True)
    else:
        return list(PairedFolder(dir_or_spec))
    if spec.kind != SYNTH:
        assert spec.path is not None
        return list(PairedFolder(spec.path))
    val_seed = spec.seed if spec.seed is not None else (VALIDATION_SEED if seed is None else seed)
    val_size = spec.size if spec.size is not None else (DEFAULT_SYNTH_SIZE if size is None else size)
    n_synth = spec.n if spec.n is not None else n_synth
    if n_synth < 1:
        raise ValueError(f"load_validation: n_synth must be >= 1, got {n_synth}")
    source = SynthSource(seed=val_seed, size=val_size, config=synth_config)
    return [(*source.pair_at(i), f"synth-{val_seed}-{i:04d}") for i in range(n_synth)]
