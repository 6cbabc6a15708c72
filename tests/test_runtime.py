"""senga.runtime: the extras check and device names, answered without importing torch."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from senga import runtime


def test_the_extras_check_names_the_pip_package() -> None:
    assert runtime.missing_extra("torch.nn") == runtime.TORCH_MISSING
    assert "pip install opencv-python-headless" in (runtime.missing_extra("cv2") or "")
    assert runtime.missing_extra("yaml") is None and runtime.missing_extra(None) is None


def test_device_names(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert runtime.resolve_device("auto") == torch.device("cpu")
    assert runtime.resolve_device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match="CUDA is not available"):
        runtime.resolve_device("cuda")
    with pytest.raises(ValueError, match="half precision needs a CUDA device"):
        runtime.checked_device("cpu", half=True)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert runtime.resolve_device("cuda", local_rank=1) == torch.device("cuda:1")


def test_runtime_and_the_inference_package_import_without_torch() -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.modules["torch"] = None  # as in an install without the torch extra
        import senga.extract, senga.runtime
        assert not senga.runtime.torch_available()
        assert senga.extract.resolve_device is senga.runtime.resolve_device
        try:
            senga.runtime.resolve_device("cpu")
        except ImportError:
            print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
