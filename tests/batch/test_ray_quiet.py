"""``-q`` with the Ray engine: Ray starts at ERROR level, without worker output, its native stderr off.

Runs without a real Ray: a stand-in ``ray`` module records how it is started (the real run is
covered by ``test_ray_engine.py``).
"""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from senga.batch.ray_engine import RayOptions, RayRunError, native_stderr_silenced, run_ray
from senga.batch.runner import Job


def _fake_ray(monkeypatch: pytest.MonkeyPatch, calls: list[dict[str, Any]]) -> None:
    ray = types.ModuleType("ray")
    data = types.ModuleType("ray.data")
    ray.data = data  # type: ignore[attr-defined]  # a stand-in ray module
    ray.is_initialized = lambda: False  # type: ignore[attr-defined]  # a stand-in ray module
    ray.shutdown = lambda: None  # type: ignore[attr-defined]  # a stand-in ray module

    def init(**kwargs: Any) -> None:
        calls.append(kwargs)
        os.write(2, b"[E core_worker.cc] a native notice\n")  # what Ray's C++ core prints on fd 2
        print("python error line", file=sys.stderr)
        raise ConnectionError("stand-in: no cluster")

    ray.init = init  # type: ignore[attr-defined]  # a stand-in ray module
    monkeypatch.setitem(sys.modules, "ray", ray)
    monkeypatch.setitem(sys.modules, "ray.data", data)


@pytest.mark.parametrize("progress", [False, True], ids=["quiet", "verbose"])
def test_how_ray_is_started(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capfd: pytest.CaptureFixture[str], progress: bool
) -> None:
    pytest.importorskip("pyarrow", reason="the Ray engine needs pyarrow (senga[ray])")
    calls: list[dict[str, Any]] = []
    _fake_ray(monkeypatch, calls)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    (tmp_path / "a.png").write_bytes(b"x")
    job = Job(tmp_path / "a.png", tmp_path / "out" / "a.png")
    with pytest.raises(RayRunError, match="cannot start a local Ray"):
        run_ray([job], lambda: None, tmp_path / "m.parquet", RayOptions(progress=progress))  # type: ignore[arg-type, return-value]  # stand-in jobs and extractor
    assert calls[0]["logging_level"] == ("INFO" if progress else "ERROR")  # ERROR: no token-auth warning
    assert calls[0]["log_to_driver"] is progress
    err = capfd.readouterr().err
    assert "python error line" in err  # senga's and Ray's Python errors still print
    assert ("a native notice" in err) is progress
    os.write(2, b"after\n")  # fd 2 is restored once Ray is done
    assert capfd.readouterr().err == "after\n"


def test_silencing_is_a_no_op_when_not_quiet(capfd: pytest.CaptureFixture[str]) -> None:
    with native_stderr_silenced(False):
        os.write(2, b"shown\n")
    assert capfd.readouterr().err == "shown\n"
