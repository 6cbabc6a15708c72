"""The Ray Data engine: same files as the local engine, a manifest of every input, resume
after a killed driver, and a clear message without Ray.

Ray starts once for this module (``ray.init(num_cpus=2)``) and is shut down after it
(the tests share an xdist group: with ``--dist loadgroup`` one worker runs them all).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from images import drawn_image
from PIL import Image

from senga.cli.main import main

pytestmark = pytest.mark.xdist_group("ray")
# The tests that start a local Ray cluster are marked slow (15-60 s each on a 2-core CPU).

# A tiny tile so that the "large" image is really tiled (4 x 3 tiles) inside the actor.
TILING = ["--tile", "32", "--overlap", "8"]
BAD_MESSAGE = "not an image file (unknown or unsupported format)"


def _save(path: Path, rgb: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgb).save(path)


def _mixed_folder(root: Path) -> Path:
    """good images (one in a subfolder, one JPEG), a bad file, and a large image tiled at --tile 32."""
    src = root / "in"
    _save(src / "a.png", drawn_image(24, seed=1))
    _save(src / "sub" / "b.png", drawn_image(20, seed=2)[:, :17])
    Image.fromarray(drawn_image(28, seed=3)).save(src / "c.jpg", quality=90)
    _save(src / "large.png", drawn_image(120, seed=4)[:90])
    (src / "bad.png").write_bytes(b"this is not a png")
    return src


def _files(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones too), manifest excluded."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix != ".parquet"
    }


def _read_manifest(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


# --------------------------------------------------------------------------- without Ray


def test_missing_ray_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _save(tmp_path / "a.png", drawn_image(16))
    monkeypatch.setitem(sys.modules, "ray", None)  # "import ray" now raises ImportError
    monkeypatch.setitem(sys.modules, "ray.data", None)
    code = main(["extract", str(tmp_path / "a.png"), "-o", str(tmp_path / "out"), "--engine", "ray"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1
    assert err[0].startswith("senga: error: --engine ray needs Ray Data")
    assert "pip install -e '.[ray]' in the senga clone" in err[0]
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- on a local Ray


@pytest.fixture(scope="module")
def ray_address() -> Any:
    ray = pytest.importorskip("ray", reason="Ray is optional: pip install -e '.[ray]' (CI installs it)")
    pytest.importorskip("ray.data", reason="Ray Data is optional: pip install -e '.[ray]'")
    pytest.importorskip("pyarrow", reason="pyarrow comes with senga[ray]")
    os.environ.setdefault("RAY_agent_register_timeout_ms", "120000")  # a busy 2-core CI machine
    os.environ.setdefault("RAY_raylet_start_wait_time_s", "120")
    for attempt in (1, 2):  # Ray gives its raylet a fixed 30 s to register: a loaded machine may miss it once
        try:
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
            break
        except Exception as err:
            ray.shutdown()
            if attempt == 2 or "timed out during startup" not in str(err):
                raise
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def mixed_runs(ray_address: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The mixed folder through the local engine and through Ray (2 actors, batches of 2)."""
    root = tmp_path_factory.mktemp("mixed")
    src = _mixed_folder(root)
    local_code = main(["extract", str(src), "-o", str(root / "local"), "-q", *TILING])
    manifest = root / "run.parquet"
    ray_code = main(
        [
            "extract",
            str(src),
            "-o",
            str(root / "ray"),
            "-q",
            *TILING,
            "--engine",
            "ray",
            "--actors",
            "2",
            "--batch-size",
            "2",
            "--manifest",
            str(manifest),
        ]
    )
    return {"root": root, "src": src, "local_code": local_code, "ray_code": ray_code, "manifest": manifest}


@pytest.mark.slow
def test_ray_writes_the_same_files_as_the_local_engine(mixed_runs: dict[str, Any]) -> None:
    root = mixed_runs["root"]
    local, ray_out = _files(root / "local"), _files(root / "ray")
    assert sorted(local) == ["a.png", "c.png", "large.png", "sub/b.png"]
    assert ray_out == local  # same names, same bytes (large.png tiled in the actor as locally)
    assert mixed_runs["local_code"] == mixed_runs["ray_code"] == 1  # the bad file fails both


@pytest.mark.slow
def test_manifest_records_every_input(mixed_runs: dict[str, Any]) -> None:
    rows = _read_manifest(mixed_runs["manifest"])
    src = mixed_runs["src"]
    by_input = {Path(r["input"]).resolve().relative_to(src.resolve()).as_posix(): r for r in rows}
    assert sorted(by_input) == ["a.png", "bad.png", "c.jpg", "large.png", "sub/b.png"]
    assert [r["index"] for r in rows] == list(range(5))
    bad = by_input.pop("bad.png")
    assert (bad["status"], bad["error"], bad["width"]) == ("failed", BAD_MESSAGE, None)
    sizes = {"a.png": (24, 24), "c.jpg": (28, 28), "large.png": (120, 90), "sub/b.png": (17, 20)}
    for name, row in by_input.items():
        assert row["status"] == "done" and row["error"] is None
        assert (row["width"], row["height"]) == sizes[name]
        assert Path(row["output"]).is_file()
        assert row["seconds"] > 0 and row["actor"] and row["actor_rss_mib"] > 10


@pytest.mark.slow
def test_rerun_skips_existing_outputs_and_records_them(
    mixed_runs: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = mixed_runs["root"]
    before = _files(root / "ray")
    manifest = tmp_path / "again.parquet"
    code = main(
        [
            "extract",
            str(mixed_runs["src"]),
            "-o",
            str(root / "ray"),
            *TILING,
            "--engine",
            "ray",
            "--actors",
            "1",
            "--manifest",
            str(manifest),
        ]
    )
    assert code == 1
    assert _files(root / "ray") == before
    statuses = sorted(r["status"] for r in _read_manifest(manifest))
    assert statuses == ["failed", "skipped", "skipped", "skipped", "skipped"]
    err = capsys.readouterr().err
    assert f"bad.png: {BAD_MESSAGE}" in err
    assert "0 written, 4 skipped" in err


@pytest.mark.slow
def test_a_killed_driver_resumes_to_the_files_of_an_uninterrupted_run(
    ray_address: str, tmp_path: Path
) -> None:
    src = tmp_path / "in"
    for i in range(10):
        _save(src / f"im{i:02d}.png", drawn_image(96, seed=10 + i))  # 9 tiles each at --tile 32
    assert main(["extract", str(src), "-o", str(tmp_path / "local"), "-q", *TILING]) == 0
    out = tmp_path / "ray"
    cmd = [
        sys.executable,
        "-m",
        "senga.cli.main",
        "extract",
        str(src),
        "-o",
        str(out),
        "-q",
        *TILING,
        "--engine",
        "ray",
        "--address",
        ray_address,
        "--actors",
        "1",
        "--batch-size",
        "1",
    ]
    driver = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300  # generous: a loaded 2-core machine starts Ray's actors slowly

    def finished_outputs() -> list[str]:  # not the hidden temporaries of writes in flight
        return sorted(p.name for p in out.glob("*.png") if not p.name.startswith("."))

    while time.monotonic() < deadline and driver.poll() is None and not finished_outputs():
        time.sleep(0.02)
    assert driver.poll() is None, f"driver ended before it could be killed: {driver.stderr.read()!r}"
    driver.send_signal(signal.SIGKILL)
    driver.wait(timeout=30)
    partial = finished_outputs()
    assert 1 <= len(partial) < 10, partial
    # as if the kill had hit an actor mid-write: a temporary of a writer that is gone
    (out / ".im09.999999.abcdefgh.tmp.png").write_bytes(b"half a png")

    manifest = tmp_path / "resumed.parquet"
    code = main(
        ["extract", str(src), "-o", str(out), "-q", *TILING, "--engine", "ray", "--manifest", str(manifest)]
    )
    assert code == 0
    assert _files(out) == _files(tmp_path / "local")  # no temporaries, no missing or different file
    rows = _read_manifest(manifest)
    assert len(rows) == 10
    assert sum(r["status"] == "skipped" for r in rows) >= len(partial)
    assert all(r["status"] in ("done", "skipped") for r in rows)


@pytest.mark.slow
def test_url_inputs_are_fetched_by_the_actors(mixed_runs: dict[str, Any], tmp_path: Path) -> None:
    pytest.importorskip("fsspec", reason="URL inputs need fsspec (senga[ray])")
    src = mixed_runs["src"]
    out, manifest = tmp_path / "out", tmp_path / "urls.parquet"
    missing = f"file://{src}/gone.png"
    code = main(
        [
            "extract",
            f"file://{src}/",
            missing,
            "-o",
            str(out),
            "-q",
            *TILING,
            "--engine",
            "ray",
            "--actors",
            "1",
            "--manifest",
            str(manifest),
        ]
    )
    assert code == 1
    assert _files(out) == _files(mixed_runs["root"] / "local")
    rows = {r["input"]: r for r in _read_manifest(manifest)}
    assert rows[f"file://{src}/bad.png"]["error"] == BAD_MESSAGE
    assert rows[missing]["status"] == "failed"
    assert rows[missing]["error"].startswith("cannot read (FileNotFoundError")
    assert rows[f"file://{src}/large.png"]["width"] == 120


@pytest.mark.slow
def test_the_summary_counts_the_actors_that_did_the_work(
    ray_address: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A pool of 2 actors, 2 images in one Ray batch: one actor does both, and the summary says so.

    Also ``-q``: the native lines Ray's core worker prints on creating the actors (``core_worker.cc``)
    and its Python warnings stay off stderr; senga's own summary of a failure still prints.
    """
    src = tmp_path / "in"
    for name in ("a.png", "b.png"):
        _save(src / name, drawn_image(16))
    manifest = tmp_path / "m.parquet"
    argv = [
        "extract",
        str(src),
        "-o",
        str(tmp_path / "out"),
        *TILING,
        "--engine",
        "ray",
        "--actors",
        "2",
        "--batch-size",
        "2",
        "--manifest",
        str(manifest),
    ]
    assert main(argv) == 0
    err = capfd.readouterr().err
    actors = {row["actor"] for row in _read_manifest(manifest) if row["actor"]}
    assert len(actors) == 1  # one block of two images: the second actor got none
    assert "images/s, 1 actor); manifest" in err.strip().splitlines()[-1]

    (src / "c.png").write_bytes(b"junk")
    assert main([*argv, "-q"]) == 1
    err = capfd.readouterr().err
    assert [line for line in err.splitlines() if line.strip()] == [
        f"senga: {src / 'c.png'}: {BAD_MESSAGE}",
        "senga: 0 written, 2 skipped (output exists; --overwrite to replace), 1 failed in "
        + err.split(" failed in ", 1)[1].splitlines()[0],
    ]
