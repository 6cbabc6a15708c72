"""Arithmetic precision of the network: ``"fp32"``, ``"bf16"`` (autocast) or ``"auto"``.

``bf16`` runs the torch backend under ``torch.autocast(dtype=torch.bfloat16)``
(the model's activations are channels-last already). On a CPU it only pays
where the hardware has bf16 instructions (``avx512_bf16`` / ``amx_bf16``);
without them PyTorch emulates it, slower than float32, so ``bf16`` falls back
to ``fp32`` there (with a warning). onnxruntime's CPU kernels have no bf16
convolution, so it runs float32.

``auto`` (the default) picks bf16 only for the (backend, model) pairs listed
in :data:`BF16_MEASURED_FASTER`, the ones where
``benchmarks/bench_extract_speed.py`` measured bf16 faster than fp32 *and*
within 1/255 of it on >= 99.9 % of pixels, and only on a CPU that has bf16.
Measurements: docs/fast_model.md. This module imports no torch.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

PRECISIONS: tuple[str, ...] = ("auto", "fp32", "bf16")

#: CPU flags (``/proc/cpuinfo``) that mean native bf16 arithmetic.
BF16_CPU_FLAGS: frozenset[str] = frozenset({"avx512_bf16", "amx_bf16"})

#: ``(backend, model key)`` pairs where bf16 measured faster than fp32 and within 1/255 on >= 99.9 %
#: of pixels (:func:`model_key`; docs/fast_model.md). Empty: on the measured CPU bf16 was slower.
BF16_MEASURED_FASTER: frozenset[tuple[str, str]] = frozenset()


def cpu_flags(cpuinfo: str | Path = "/proc/cpuinfo") -> frozenset[str]:
    """The CPU's feature flags from ``/proc/cpuinfo`` (empty where that file does not exist)."""
    try:
        text = Path(cpuinfo).read_text(errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags") and ":" in line:
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


def cpu_has_bf16() -> bool:
    """True when the CPU computes bf16 natively: a flag in :data:`BF16_CPU_FLAGS`.

    Only where ``/proc/cpuinfo`` is missing (not Linux) is oneDNN asked; its probe
    also says yes on AVX-512 CPUs that merely emulate bf16 (slower than float32).
    """
    flags = cpu_flags()
    if flags:
        return bool(flags & BF16_CPU_FLAGS)
    torch = sys.modules.get("torch")  # only ask torch when it is already loaded
    probe = getattr(getattr(getattr(torch, "ops", None), "mkldnn", None), "_is_mkldnn_bf16_supported", None)
    if probe is None:
        return False
    try:
        return bool(probe())
    except Exception:  # noqa: BLE001 - an old torch without the probe is simply "no"
        return False


def model_key(model: Any) -> str:
    """``"senga:width=0.47"``: what :data:`BF16_MEASURED_FASTER` names a model by (its config)."""
    config = getattr(model, "config", None)
    name = getattr(config, "name", type(model).__name__)
    return f"{name}:width={getattr(config, 'width', 1.0):g}"


def resolve_precision(precision: str | None, backend: str, device_type: str = "cpu", key: str = "") -> str:
    """``"fp32"`` or ``"bf16"``: what ``precision`` means for this backend, device and model.

    Args:
        precision: ``"auto"`` (or ``None``), ``"fp32"`` or ``"bf16"``.
        backend: ``"torch"`` or ``"onnxruntime"``.
        device_type: ``"cpu"`` or ``"cuda"``.
        key: the model's :func:`model_key` (for ``"auto"``).

    Raises:
        ValueError: an unknown precision, or ``"bf16"`` asked of onnxruntime.
    """
    precision = precision or "auto"
    if precision not in PRECISIONS:
        raise ValueError(f"precision: must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision == "fp32":
        return "fp32"
    if backend != "torch":
        if precision == "bf16":
            raise ValueError("precision bf16 needs the torch backend (onnxruntime runs float32 on CPU)")
        return "fp32"
    if device_type == "cuda":
        return precision if precision == "bf16" else "fp32"
    has = cpu_has_bf16()
    if precision == "bf16":
        if not has:
            warnings.warn("precision bf16: this CPU has no bf16 instructions; running fp32", stacklevel=2)
            return "fp32"
        return "bf16"
    return "bf16" if has and (backend, key) in BF16_MEASURED_FASTER else "fp32"
