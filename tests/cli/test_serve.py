"""``senga serve``: starts, answers, stops on Ctrl+C; a token off loopback; one-line errors."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the serve extra is not installed (pip install -e '.[serve]')")
pytest.importorskip("uvicorn", reason="the serve extra is not installed (pip install -e '.[serve]')")

from senga.cli.main import main


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from senga.models import create_model, save_pretrained

    return save_pretrained(create_model("senga"), tmp_path_factory.mktemp("m") / "model")


def _start(args: list[str], log: Path) -> tuple[subprocess.Popen, str]:
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "senga", "serve", *args], stderr=err, stdout=subprocess.DEVNULL
        )
    deadline = time.monotonic() + 180
    while True:
        m = re.search(r"serving (http://\S+/) ", log.read_text())
        if m:
            return proc, m.group(1)
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


def _multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = "senga-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.slow
def test_serve_answers_and_stops_on_ctrl_c(tmp_path: Path, model_dir: Path) -> None:
    import io

    import numpy as np
    from PIL import Image

    proc, url = _start(["--port", "0", "--model", str(model_dir), "--device", "cpu"], tmp_path / "log")
    try:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "api/health", timeout=120) as r:
            health = json.load(r)
        assert health["model"] == str(model_dir) and health["device"] == "cpu"
        buf = io.BytesIO()
        Image.fromarray(np.full((10, 14, 3), 200, np.uint8)).save(buf, format="PNG")
        body, kind = _multipart("a.png", buf.getvalue())
        request = urllib.request.Request(url + "api/extract", data=body, headers={"Content-Type": kind})
        with urllib.request.urlopen(request, timeout=120) as r:
            assert Image.open(io.BytesIO(r.read())).size == (14, 10)
        with urllib.request.urlopen(url, timeout=120) as r:
            assert b'type="file"' in r.read()
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(120)
    log = (tmp_path / "log").read_text()
    assert code == 0, log
    assert log.strip().splitlines()[-1] == "senga: stopped"
    assert "warning" not in log


def _get(url: str, headers: dict[str, str] | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=120) as r:
            return r.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.mark.slow
def test_serve_on_every_network_needs_a_generated_token(tmp_path: Path, model_dir: Path) -> None:
    proc, url = _start(
        ["--host", "0.0.0.0", "--port", "0", "--model", str(model_dir), "--device", "cpu"], tmp_path / "log"
    )
    try:
        log = (tmp_path / "log").read_text()
        assert url.startswith("http://127.0.0.1:")
        m = re.search(
            r"senga: listening on 0\.0\.0\.0: every request needs this run's token; open (\S+)\?token=(\S+) ",
            log,
        )
        assert m and m.group(1) == url, log
        token = m.group(2)
        assert len(token) >= 32 and log.count(token) == 1  # printed once
        assert _get(url + "api/health") == 401
        assert _get(url + "api/health", {"Authorization": f"Bearer {token}"}) == 200
    finally:
        proc.terminate()
        proc.wait(120)


@pytest.mark.slow
def test_token_from_the_environment_is_required_and_not_printed(
    tmp_path: Path, model_dir: Path, monkeypatch
) -> None:
    monkeypatch.setenv("SENGA_TOKEN", "env-token-123")
    proc, url = _start(["--port", "0", "--model", str(model_dir), "--device", "cpu"], tmp_path / "log")
    try:
        assert _get(url + "api/health") == 401
        assert _get(url + "api/health", {"Authorization": "Bearer env-token-123"}) == 200
        assert "env-token-123" not in (tmp_path / "log").read_text()
    finally:
        proc.terminate()
        proc.wait(120)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--allow-origin", "http://x.example/path"], "argument --allow-origin: expected an origin like"),
        (["--token", "has space"], "argument --token: use letters, digits and ._~+/=- only"),
    ],
)
def test_bad_security_flags_are_usage_errors(args: list[str], message: str, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["serve", *args])
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_busy_port_is_a_one_line_error(capsys) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"senga: error: cannot listen on 127.0.0.1:{port} (Address already in use)"
    )


def test_missing_model_is_a_one_line_error_and_frees_the_port(tmp_path: Path, capsys) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert main(["serve", "--port", str(port), "--model", str(tmp_path / "nowhere"), "--device", "cpu"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("senga: error: ") and "nowhere" in err and "\n" not in err
    with socket.socket() as s:  # the port was released
        s.bind(("127.0.0.1", port))
