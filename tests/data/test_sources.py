"""Data specs, sources, weighted mixing, the DataLoader path and validation sets.

The synthetic engine is replaced by a tiny fake ``senga.data.synth`` module
here, so these tests pin the plumbing, not the generator.
"""

from __future__ import annotations

import types
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from senga.data import sources
from senga.data.augment import AugmentConfig
from senga.data.mixing import MixedTrainingSet, make_loader
from senga.data.paired import DatasetError
from senga.data.preload import PreloadedPairs
from senga.data.sources import (
    VALIDATION_SEED,
    ArraySource,
    DataSpec,
    FolderSource,
    SynthSource,
    build_source,
    load_validation,
    open_sources,
    parse_data_spec,
)


def _folder(root: Path, n: int = 2, size: int = 20) -> Path:
    (root / "color").mkdir(parents=True)
    (root / "line").mkdir(parents=True)
    for i in range(n):
        Image.new("RGB", (size, size), (i, 0, 0)).save(root / "color" / f"p{i}.png")
        Image.new("L", (size, size), 255).save(root / "line" / f"p{i}.png")
    return root


def _const_source(value: float, name: str, size: int = 48) -> ArraySource:
    """A source whose every pixel has ink ``value`` (so a crop tells where it came from)."""
    ink = np.full((size, size), value, np.float32)
    rgb = np.full((size, size, 3), round(255 * (1 - value)), np.uint8)
    return ArraySource([(rgb, ink)], name=name)


@pytest.fixture
def fake_synth(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A stand-in for senga.data.synth: pair i of stream seed s is constant ink ((s*1000+i) % 251)/255."""

    class SynthStream:
        def __init__(self, seed: int, size: int = 512, config: object = None) -> None:
            self.seed, self.size = seed, size

        def pair(self, i: int) -> tuple[np.ndarray, np.ndarray]:
            level = (self.seed * 1000 + i) % 251
            ink = np.full((self.size, self.size), level / 255, np.float32)
            return np.full((self.size, self.size, 3), 255 - level, np.uint8), ink

    module = types.ModuleType("senga.data.synth")
    module.SynthStream = SynthStream  # type: ignore[attr-defined]  # a stand-in module
    monkeypatch.setattr(sources, "SynthStream", SynthStream)
    return module


# ----------------------------------------------------------------------------- specs


def test_parse_valid_specs(tmp_path: Path) -> None:
    assert parse_data_spec("synth") == DataSpec(kind="synth", text="synth")
    spec = parse_data_spec("synth:weight=3,seed=7,size=512")
    assert (spec.kind, spec.weight, spec.seed, spec.size) == ("synth", 3.0, 7, 512)
    folder = parse_data_spec(f"{tmp_path}:weight=0.5")
    assert (folder.kind, folder.path, folder.weight) == ("folder", str(tmp_path), 0.5)
    assert parse_data_spec(str(tmp_path)).weight == 1.0
    assert parse_data_spec(f" {tmp_path}: ").path == str(tmp_path)
    for text in ("synth:weight=3,seed=7,size=512", f"{tmp_path}:weight=0.1234567891", "synth:size=64"):
        spec = parse_data_spec(text)
        assert parse_data_spec(str(spec)) == spec


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("no/such/folder", "folder 'no/such/folder' does not exist"),
        ("synth:wieght=2", "unknown key 'wieght' (valid for synth: weight, seed, size)"),
        ("synth:weight=abc", "weight='abc' is not a number"),
        ("synth:weight=0", "weight=0 must be > 0"),
        ("synth:weight=-1", "weight=-1 must be > 0"),
        ("synth:weight=nan", "weight='nan' is not finite"),
        ("synth:seed=1.5", "seed='1.5' is not an integer"),
        ("synth:seed=-3", "seed=-3 must be >= 0"),
        ("synth:size=8", "size=8 must be >= 16"),
        ("synth:weight", "option 'weight' is not key=value"),
        ("synth:seed=1,seed=2", "key 'seed' given twice"),
        (":weight=2", "empty source (expected a folder path or 'synth')"),
    ],
)
def test_bad_specs_name_the_spec_and_the_problem(text: str, problem: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_data_spec(text)
    assert str(info.value) == f"bad data spec {text!r}: {problem}"


def test_folder_spec_rejects_synth_keys_and_files(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown key 'seed' \(valid for folder: weight\)"):
        parse_data_spec(f"{tmp_path}:seed=1")
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        parse_data_spec(str(tmp_path / "f.txt"))


def test_build_source_validates_folders(tmp_path: Path) -> None:
    source = build_source(str(_folder(tmp_path / "ok", n=3)))
    assert isinstance(source, FolderSource) and len(source) == 3 and source.finite
    rgb, ink = source.draw(np.random.default_rng(0))
    assert rgb.shape == (20, 20, 3) and ink.shape == (20, 20)
    (tmp_path / "bad" / "color").mkdir(parents=True)
    with pytest.raises(DatasetError, match="line/: missing folder"):
        build_source(str(tmp_path / "bad"))


def test_synth_source_uses_the_stream_and_survives_pickling(fake_synth: types.ModuleType) -> None:
    import pickle

    source = build_source("synth:seed=2,size=32")
    assert isinstance(source, SynthSource) and not source.finite
    rgb, ink = source.pair_at(5)
    assert rgb.shape == (32, 32, 3) and float(ink[0, 0]) == pytest.approx(((2 * 1000 + 5) % 251) / 255)
    clone = pickle.loads(pickle.dumps(source))
    assert np.array_equal(clone.draw(np.random.default_rng(1))[1], source.draw(np.random.default_rng(1))[1])
    with pytest.raises(ValueError, match="endless stream"):
        source.pairs()


# ----------------------------------------------------------------------------- mixing


def test_mixing_weights_are_respected() -> None:
    sources = [_const_source(1.0, "a"), _const_source(0.0, "b")]
    ds = MixedTrainingSet(sources, [1, 3], AugmentConfig(crop=16), seed=0, length=4000, rank=0)
    picks = np.array([ds.source_index(i) for i in range(4000)])
    # Binomial(4000, 0.25): standard deviation 27, so +-0.03 is more than 4 sigma.
    assert abs((picks == 0).mean() - 0.25) < 0.03
    for i in range(20):  # the content agrees with the reported source
        _, ink = ds[i]
        assert float(ink.mean()) == (1.0 if picks[i] == 0 else 0.0)


def test_items_are_tensors_of_the_documented_shape() -> None:
    ds = MixedTrainingSet(
        [_const_source(0.4, "a", size=20)], [1], AugmentConfig(crop=32), seed=0, length=4, rank=0
    )
    rgb, ink = ds[0]
    assert rgb.shape == (3, 32, 32) and ink.shape == (1, 32, 32)
    assert rgb.dtype == torch.float32 and ink.dtype == torch.float32
    assert float(rgb.min()) >= 0.0 and float(rgb.max()) == 1.0  # white paper padding around a 20..25 px image
    assert float(ink.max()) == pytest.approx(0.4)


def test_stream_is_a_pure_function_of_seed_rank_index(fake_synth: types.ModuleType) -> None:
    def make(seed: int, rank: int) -> MixedTrainingSet:
        return MixedTrainingSet([build_source("synth:size=40")], [1], AugmentConfig(crop=16), seed, 100, rank)

    a, b = make(0, 0), make(0, 0)
    assert all(torch.equal(a[i][1], b[i][1]) for i in (0, 5, 99))
    levels = [float(a[i][1].max()) for i in range(8)]  # which synthetic pair each sample drew
    assert len(set(levels)) == 8  # distinct samples
    assert [float(make(1, 0)[i][1].max()) for i in range(8)] != levels  # another seed
    assert [float(make(0, 1)[i][1].max()) for i in range(8)] != levels  # another DDP rank


@pytest.mark.slow
def test_loader_is_independent_of_workers_and_resumes_at_a_step() -> None:
    rng = np.random.default_rng(0)
    pairs = [
        (rng.integers(0, 256, (40, 40, 3)).astype(np.uint8), rng.random((40, 40)).astype(np.float32))
        for _ in range(3)
    ]
    ds = MixedTrainingSet([ArraySource(pairs)], [1], AugmentConfig(crop=16), seed=5, length=24, rank=0)
    serial = list(make_loader(ds, batch_size=4, workers=0))
    assert len(serial) == 6 and serial[0][0].shape == (4, 3, 16, 16)
    parallel = list(make_loader(ds, batch_size=4, workers=2))
    assert all(torch.equal(s[0], p[0]) and torch.equal(s[1], p[1]) for s, p in zip(serial, parallel))
    # Worker k computes samples k, k+2, ...: each sample in a batch is distinct.
    flat = torch.cat([b[1] for b in serial]).flatten(1)
    assert len({tuple(row.tolist()) for row in flat}) == 24
    resumed = list(make_loader(ds, batch_size=4, workers=0, start_step=2))
    assert len(resumed) == 4 and torch.equal(resumed[0][1], serial[2][1])


def test_bad_weights_and_empty_sources() -> None:
    with pytest.raises(ValueError, match="no training sources"):
        MixedTrainingSet([], [], rank=0)
    with pytest.raises(ValueError, match="2 weights for 1 sources"):
        MixedTrainingSet([_const_source(0, "a")], [1, 2], rank=0)
    with pytest.raises(ValueError, match="finite and > 0"):
        MixedTrainingSet([_const_source(0, "a")], [0], rank=0)


def test_from_specs_mixes_folder_and_synth(tmp_path: Path, fake_synth: types.ModuleType) -> None:
    folder = _folder(tmp_path / "d", n=2, size=24)
    ds = MixedTrainingSet.from_specs(
        [f"{folder}:weight=1", "synth:weight=3,size=24"], AugmentConfig(crop=24), 0, 400, 0
    )
    assert ds.weights == [1.0, 3.0] and isinstance(ds.sources[1], SynthSource)
    assert abs(np.mean([ds.source_index(i) == 0 for i in range(400)]) - 0.25) < 0.07


def test_preload_from_sources_weights_and_refuses_streams(fake_synth: types.ModuleType) -> None:
    data = PreloadedPairs.from_sources(
        [_const_source(1.0, "a"), ArraySource([_const_source(0.0, "b").pairs()[0]] * 3, "b")],
        [1, 3],
        augment=AugmentConfig(crop=16),
        seed=0,
        rank=0,
    )
    assert len(data) == 4
    picks = np.array([data.pair_index(j) for j in range(4000)])
    assert abs((picks == 0).mean() - 0.25) < 0.03  # source a: 1 pair with all of weight 1
    with pytest.raises(ValueError, match="cannot be preloaded"):
        PreloadedPairs.from_sources([build_source("synth:size=16")], [1])


# ----------------------------------------------------------------------------- validation sets


def test_load_validation_from_a_folder(tmp_path: Path) -> None:
    items = load_validation(_folder(tmp_path / "v", n=2))
    assert [name for _, _, name in items] == ["p0", "p1"]
    assert items[1][0][0, 0, 0] == 1


def test_load_validation_synthetic_set_is_fixed_and_apart_from_training(fake_synth: types.ModuleType) -> None:
    items = load_validation("synth", n_synth=3, size=16)
    assert [name for *_, name in items] == [f"synth-{VALIDATION_SEED}-{i:04d}" for i in range(3)]
    level = (VALIDATION_SEED * 1000 + 2) % 251
    assert float(items[2][1][0, 0]) == pytest.approx(level / 255) and items[2][0].shape == (16, 16, 3)
    again = load_validation("synth", n_synth=3, size=16)
    assert all(np.array_equal(x[1], y[1]) for x, y in zip(items, again))
    given = load_validation("synth:seed=4,size=20", n_synth=1, seed=99)  # the spec's seed wins
    assert given[0][2] == "synth-4-0000" and given[0][1].shape == (20, 20)


def test_validation_specs_take_n_and_training_specs_do_not(fake_synth: types.ModuleType) -> None:
    spec = parse_data_spec("synth:n=8,seed=3", validation=True)
    assert (spec.kind, spec.n, spec.seed) == ("synth", 8, 3)
    assert parse_data_spec(str(spec), validation=True) == spec
    with pytest.raises(ValueError, match="unknown key 'n'"):
        parse_data_spec("synth:n=8")
    with pytest.raises(ValueError, match="n=0 must be >= 1"):
        parse_data_spec("synth:n=0", validation=True)
    items = load_validation("synth:n=2,size=16")  # n from the spec
    assert [name for *_, name in items] == [f"synth-{VALIDATION_SEED}-0000", f"synth-{VALIDATION_SEED}-0001"]


def test_open_sources_builds_every_spec_with_its_weight(tmp_path: Path, fake_synth: types.ModuleType) -> None:
    folder = _folder(tmp_path / "d", n=2)
    built, weights = open_sources([f"{folder}:weight=2", "synth"])
    assert isinstance(built[0], FolderSource) and len(built[0]) == 2 and isinstance(built[1], SynthSource)
    assert weights == [2.0, 1.0]
    with pytest.raises(ValueError, match="no training data"):
        open_sources([])
