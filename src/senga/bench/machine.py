"""A short description of the machine a bench ran on, for its report."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

import torch


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, Any]:
    """``{"platform", "cpu", "cpu_count", "python", "torch", "gpu"}`` (gpu None without CUDA)."""
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "cpu": _cpu_name(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "torch": None,
        "gpu": None,
    }
    info["torch"] = torch.__version__
    if torch.cuda.is_available():
        info["gpu"] = ", ".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
    return info
