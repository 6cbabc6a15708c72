"""The precision choice: bf16 only where the CPU has it (fallback to fp32 tested by faking the
detection), ``auto`` only where measured faster, onnxruntime float32 only, and the torch
backend really running under bf16 autocast when chosen."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from senga.extract import precision
from senga.extract.precision import cpu_flags, model_key, resolve_precision


def test_cpu_flags_parse(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor : 0\nflags\t\t: fpu sse2 avx512f avx512_bf16\n")
    assert {"avx512_bf16", "sse2"} <= cpu_flags(info)
    assert cpu_flags(tmp_path / "missing") == frozenset()


def test_bf16_falls_back_to_fp32_without_cpu_support(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: False)
    monkeypatch.setattr(precision, "BF16_MEASURED_FASTER", frozenset({("torch", "senga:width=1")}))
    with pytest.warns(UserWarning, match="no bf16"):
        assert resolve_precision("bf16", "torch", "cpu", "senga:width=1") == "fp32"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert resolve_precision("auto", "torch", "cpu", "senga:width=1") == "fp32"


def test_bf16_used_where_the_cpu_has_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: True)
    assert resolve_precision("bf16", "torch", "cpu") == "bf16"
    assert resolve_precision("fp32", "torch", "cpu") == "fp32"
    # auto: only for measured winners
    monkeypatch.setattr(precision, "BF16_MEASURED_FASTER", frozenset({("torch", "senga:width=0.47")}))
    assert resolve_precision("auto", "torch", "cpu", "senga:width=0.47") == "bf16"
    assert resolve_precision("auto", "torch", "cpu", "senga:width=1") == "fp32"
    assert resolve_precision(None, "onnxruntime", "cpu", "senga:width=0.47") == "fp32"


def test_bad_precision_and_onnxruntime_bf16() -> None:
    with pytest.raises(ValueError, match="precision"):
        resolve_precision("fp16", "torch")
    with pytest.raises(ValueError, match="torch backend"):
        resolve_precision("bf16", "onnxruntime")


def test_torch_backend_runs_bf16_autocast(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch", reason="the torch backend needs PyTorch")
    from senga.extract import LineExtractor
    from senga.models import create_model

    model = create_model("senga", width=0.47)
    assert model_key(model) == "senga:width=0.47"
    dtypes: list[torch.dtype] = []
    model.decoder[0].conv.register_forward_hook(lambda m, i, o: dtypes.append(o.dtype))
    rgb = np.random.default_rng(0).integers(0, 255, (40, 40, 3), dtype=np.uint8)

    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: True)
    fast = LineExtractor(model, device="cpu", precision="bf16")
    assert fast.backend.bf16 and "bf16" in repr(fast)
    ink_bf16 = fast.predict_ink(rgb)
    assert dtypes[-1] == torch.bfloat16
    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: False)
    with pytest.warns(UserWarning, match="no bf16"):
        plain = LineExtractor(model, device="cpu", precision="bf16")
    assert not plain.backend.bf16
    ink = plain.predict_ink(rgb)
    assert dtypes[-1] == torch.float32
    assert ink_bf16.shape == ink.shape == (40, 40)


def test_bf16_needs_the_cpu_flag_where_cpuinfo_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    # AVX-512 alone emulates bf16 (slower than float32): not "has bf16", whatever oneDNN says
    monkeypatch.setattr(precision, "cpu_flags", lambda: frozenset({"avx512f", "avx512bw"}))
    assert not precision.cpu_has_bf16()
    monkeypatch.setattr(precision, "cpu_flags", lambda: frozenset({"avx512f", "avx512_bf16"}))
    assert precision.cpu_has_bf16()
