"""Test-set specs and the fixed synthetic benchmark set."""

from __future__ import annotations

from pathlib import Path

import pytest

from senga.bench.testsets import (
    SYNTH_TEST_SEED,
    TestSpec,
    check_test_folder,
    parse_test_spec,
    parse_test_specs,
    synthetic_test_set,
)


def test_spec_forms() -> None:
    assert parse_test_spec("data/real-dev") == TestSpec("real-dev", Path("data/real-dev"))
    assert parse_test_spec("data/real-dev/") == TestSpec("real-dev", Path("data/real-dev/"))
    assert parse_test_spec("dev=data/x") == TestSpec("dev", Path("data/x"))
    assert parse_test_spec("synth").is_synthetic
    assert not parse_test_spec("./synth").is_synthetic


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(ValueError, match="two test sets are named 'x'"):
        parse_test_specs(["a/x", "b/x"])
    with pytest.raises(ValueError, match="at least one test set"):
        parse_test_specs([])


def test_folder_checks_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"--test dev: .*nope: no such folder"):
        check_test_folder("dev", tmp_path / "nope")
    (tmp_path / "half" / "color").mkdir(parents=True)
    with pytest.raises(ValueError, match=r"not a paired folder \(missing line/\)"):
        check_test_folder("dev", tmp_path / "half")


def test_synthetic_set_is_made_once_with_the_documented_seed(tmp_path: Path, backend) -> None:
    assert SYNTH_TEST_SEED == 20201105
    folder = synthetic_test_set(tmp_path / "st", n=2, size=32, backend=backend)
    assert backend.datasets[0]["seed"] == 20201105 and backend.datasets[0]["n"] == 2
    assert sorted(p.name for p in (folder / "color").iterdir()) == ["0000.png", "0001.png"]
    synthetic_test_set(tmp_path / "st", n=2, size=32, backend=backend)  # reused, not regenerated
    assert len(backend.datasets) == 1
    with pytest.raises(ValueError, match=r"was made with .* asked for"):
        synthetic_test_set(tmp_path / "st", n=3, size=32, backend=backend)


def test_synthetic_set_never_takes_over_a_foreign_folder(tmp_path: Path, backend) -> None:
    (tmp_path / "mine").mkdir()
    with pytest.raises(ValueError, match="not a synthetic test set made by senga bench"):
        synthetic_test_set(tmp_path / "mine", n=2, size=32, backend=backend)


def test_interrupted_generation_leaves_nothing(tmp_path: Path, backend) -> None:
    def broken(out_dir, n, seed, size):
        (Path(out_dir) / "color").mkdir(parents=True)
        raise KeyboardInterrupt

    backend.write_dataset = broken
    with pytest.raises(KeyboardInterrupt):
        synthetic_test_set(tmp_path / "st", n=2, size=32, backend=backend)
    assert list(tmp_path.iterdir()) == []


def test_training_on_the_test_seed_is_refused() -> None:
    from senga.bench.testsets import check_training_specs

    check_training_specs(["synth", "synth:seed=7", "data/x", "synth:weight=2,seed=201"])
    for spec in ("synth:seed=20201105", "synth:weight=2,seed=20201105,size=64"):
        with pytest.raises(ValueError, match="seed 20201105 is reserved for the synthetic test set"):
            check_training_specs([spec])
