"""Test sets of a bench: paired folders named on the command line, and the fixed
synthetic benchmark set.

Test spec syntax (``--test``):

* ``DIR``: a paired folder (``DIR/color``, ``DIR/line``), named after its folder;
* ``NAME=DIR``: the same, named ``NAME``;
* ``synth``: the fixed synthetic set, made once under ``OUT/synth-test``
  (a folder literally called ``synth`` is written ``./synth``).

The synthetic set is ``senga.data.synth.write_dataset(dir, n, seed=SYNTH_TEST_SEED,
size)``: pair ``i`` is ``generate_pair(pair_seed(20201105, i))`` where
``pair_seed(s, i)`` hashes ``numpy.random.SeedSequence([s, i])`` to 63 bits. The
synthetic *training* stream (``--train synth[:seed=S]``, S = 0 by default;
validation 1_000_003) draws ``generate_pair(pair_seed(S, j))`` for random ``j``.
SeedSequence hashes its whole entropy list, so for ``S != 20201105`` the two
never share a pair (short of a 63-bit hash collision); a training spec with
``seed=20201105`` is refused when the synthetic test set is used.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from senga.bench.backend import Backend, default_backend

#: Root seed of the fixed synthetic benchmark set (the paper's date, 2020-11-05).
SYNTH_TEST_SEED: int = 20201105
#: Default number and size of its images.
SYNTH_TEST_N: int = 32
SYNTH_TEST_SIZE: int = 512
#: The keyword of ``--test`` that selects the synthetic set, and its folder under OUT.
SYNTH_KEYWORD: str = "synth"
SYNTH_DIRNAME: str = "synth-test"
#: Marker the bench writes into a synthetic test set it made (parameters it was made with).
SYNTH_MARKER: str = "bench-synth-test.json"


@dataclass(frozen=True)
class TestSpec:
    """A parsed ``--test`` value: ``path`` is None for the synthetic set."""

    __test__ = False  # not a pytest test class

    name: str
    path: Path | None

    @property
    def is_synthetic(self) -> bool:
        return self.path is None


def parse_test_spec(spec: str) -> TestSpec:
    """``"DIR"``, ``"NAME=DIR"`` or ``"synth"`` -> :class:`TestSpec`.

    Raises:
        ValueError: an empty name or folder.
    """
    text = spec.strip()
    if text == SYNTH_KEYWORD:
        return TestSpec(SYNTH_KEYWORD, None)
    name, sep, folder = text.partition("=")
    if not sep:
        folder, name = text, Path(text.rstrip("/\\")).name
    name, folder = name.strip(), folder.strip()
    if not name or not folder:
        raise ValueError(f"--test {spec!r}: expected DIR, NAME=DIR or {SYNTH_KEYWORD!r}")
    if name == SYNTH_KEYWORD:
        return TestSpec(SYNTH_KEYWORD, None) if folder == SYNTH_KEYWORD else TestSpec(name, Path(folder))
    return TestSpec(name, Path(folder))


def parse_test_specs(specs: list[str]) -> list[TestSpec]:
    """Parse every ``--test``; names must be unique (they label tables and folders)."""
    if not specs:
        raise ValueError("--test: give at least one test set (a paired folder or 'synth')")
    out = [parse_test_spec(s) for s in specs]
    names = [t.name for t in out]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f"--test: two test sets are named {name!r}; name them with NAME=DIR")
        if not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
            raise ValueError(f"--test: test set name {name!r} must be letters, digits, '-', '_' or '.'")
    return out


_SEED_OPTION = re.compile(r"(?:^|[:,])\s*seed\s*=\s*(\d+)")


def check_training_specs(train: list[str], seed: int = SYNTH_TEST_SEED) -> None:
    """Refuse a synthetic training stream rooted at the test set's seed (it would train on the test set)."""
    for spec in train:
        text = spec.strip()
        if text.split(":", 1)[0].strip() != SYNTH_KEYWORD:
            continue
        m = _SEED_OPTION.search(text[len(SYNTH_KEYWORD) :])
        if m and int(m.group(1)) == seed:
            raise ValueError(
                f"--train {spec!r}: seed {seed} is reserved for the synthetic test set; "
                "training on it would train on the test pairs"
            )


def check_test_folder(name: str, path: Path) -> None:
    """Fail early, naming the folder, if it cannot be a paired folder."""
    if not path.exists():
        raise ValueError(f"--test {name}: {path}: no such folder")
    if not path.is_dir():
        raise ValueError(f"--test {name}: {path}: not a folder")
    missing = [sub for sub in ("color", "line") if not (path / sub).is_dir()]
    if missing:
        raise ValueError(f"--test {name}: {path}: not a paired folder (missing {' and '.join(missing)}/)")


def synthetic_test_set(
    folder: str | os.PathLike[str],
    n: int = SYNTH_TEST_N,
    seed: int = SYNTH_TEST_SEED,
    size: int = SYNTH_TEST_SIZE,
    backend: Backend | None = None,
) -> Path:
    """Make (or reuse) the fixed synthetic benchmark set in ``folder``.

    Generated with ``write_dataset(folder, n, seed, size)`` into a temporary
    sibling folder that is renamed into place when complete, so an interrupted
    run never leaves a partial set. A set made earlier with the same ``n``,
    ``seed`` and ``size`` (recorded in ``folder/bench-synth-test.json``) is reused.

    Returns:
        ``folder`` as a Path.

    Raises:
        ValueError: ``folder`` exists but holds something else (nothing is deleted).
    """
    folder = Path(folder)
    if n < 1 or size < 1:
        raise ValueError(f"synthetic test set: n and size must be >= 1, got n={n}, size={size}")
    wanted = {"n": n, "seed": seed, "size": size}
    marker = folder / SYNTH_MARKER
    if folder.exists():
        if not marker.is_file():
            raise ValueError(f"{folder}: exists and is not a synthetic test set made by senga bench")
        made = json.loads(marker.read_text())
        if {k: made.get(k) for k in wanted} != wanted:
            raise ValueError(
                f"{folder}: synthetic test set was made with {made}, asked for {wanted}; "
                "use another output folder"
            )
        return folder
    backend = backend or default_backend()
    tmp = folder.with_name(f".{folder.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    try:
        backend.write_dataset(tmp, n=n, seed=seed, size=size)
        (tmp / SYNTH_MARKER).write_text(json.dumps(wanted, indent=2) + "\n")
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder
