"""Over a real socket (uvicorn in a thread): a client that hangs up frees the worker and its upload."""

from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.request
from collections.abc import Iterator

import pytest

pytest.importorskip("fastapi", reason="the serve extra is not installed (pip install -e '.[serve]')")
pytest.importorskip("uvicorn", reason="the serve extra is not installed (pip install -e '.[serve]')")

from images import png_bytes
from serving_helpers import BlockingExtractor, running

from senga.serving import ServeLimits, create_app


@pytest.fixture
def served() -> Iterator[tuple[str, BlockingExtractor, object]]:
    slow = BlockingExtractor(tiles=4)
    app = create_app(slow, ServeLimits(queue_size=2))
    try:
        with running(app) as host:
            yield host, slow, app
    finally:
        slow.release.set()


def _health(host: str) -> dict:
    with urllib.request.urlopen(f"http://{host}/api/health", timeout=60) as r:
        return json.load(r)


def _post_image(host: str, path: str) -> http.client.HTTPConnection:
    """Send a multipart upload of a small PNG to ``path``; the answer is left unread."""
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n'
    ).encode()
    body += png_bytes(10, 10) + f"\r\n--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection(host, timeout=60)
    conn.request(
        "POST", path, body=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    return conn


def _hang_up_and_expect_the_job_dropped(conn: http.client.HTTPConnection, served, notice_s: float) -> None:
    """Close the client's socket while the job runs; the job must end cancelled and its upload go."""
    host, slow, app = served
    conn.sock.shutdown(socket.SHUT_RDWR)
    conn.close()
    time.sleep(notice_s)  # let the server notice
    slow.gate.release()  # the extractor reports its next tile -> Cancelled
    deadline = time.monotonic() + 60
    while (q := _health(host)["queue"])["running"] != 0:
        assert time.monotonic() < deadline, q
        time.sleep(0.05)
    assert (q["completed"], q["failed"], q["waiting"]) == (0, 0, 0)
    assert list(app.state.tmp_dir.iterdir()) == []  # its upload is gone


def test_hanging_up_on_the_stream_cancels_the_running_job(served) -> None:
    host, slow, _ = served
    conn = _post_image(host, "/api/extract/stream")
    response = conn.getresponse()
    assert response.status == 200
    assert json.loads(response.readline())["event"] in ("queued", "progress")
    assert slow.started.acquire(timeout=60)  # the worker runs it
    assert _health(host)["queue"]["running"] == 1
    _hang_up_and_expect_the_job_dropped(conn, served, notice_s=1.0)  # the browser tab closes


def test_hanging_up_on_the_plain_endpoint_cancels_the_running_job(served) -> None:
    host, slow, _ = served
    conn = _post_image(host, "/api/extract")
    assert slow.started.acquire(timeout=60)  # the worker runs it; no answer has been sent yet
    assert _health(host)["queue"]["running"] == 1
    # the client gives up (e.g. a script's timeout); the handler checks its client every 0.25 s
    _hang_up_and_expect_the_job_dropped(conn, served, notice_s=1.5)
