"""Helpers for the serving tests: multipart bodies, an extractor that blocks until released,
and a server on a real socket (image bytes: ``images.png_bytes`` in ``tests/helpers``)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np


class BlockingExtractor:
    """An extractor whose ``predict_gray`` reports ``(0, tiles)`` then waits until released
    (``gate.release()`` for one call, ``release.set()`` for all): makes the queue's states observable."""

    def __init__(self, tiles: int = 3) -> None:
        self.release = threading.Event()  # set: every call goes on
        self.gate = threading.Semaphore(0)  # release(): one call goes on
        self.started = threading.Semaphore(0)
        self.tiles = tiles
        self.device = "cpu"
        self.calls = 0

    def predict_gray(self, rgb: np.ndarray, progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        self.calls += 1
        self.started.release()
        if progress is not None:
            progress(0, self.tiles)
        deadline = time.monotonic() + 120
        while not (self.release.is_set() or self.gate.acquire(timeout=0.02)):
            assert time.monotonic() < deadline, "test never released the extractor"
        for i in range(1, self.tiles + 1):
            if progress is not None:
                progress(i, self.tiles)
        gray = np.full(rgb.shape[:2], 255, np.uint8)
        gray[:, 0] = 0
        return gray


@contextlib.contextmanager
def running(app) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread on a free loopback port; yields ``"127.0.0.1:PORT"``."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(60)
        sock.close()


def multipart(data: bytes, name: str = "a.png", **fields: str) -> tuple[bytes, str]:
    """A multipart/form-data body with the file field ``image`` and text ``fields``; (body, content type)."""
    boundary = "senga-test-boundary"
    body = b""
    for key, value in fields.items():
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
    body += (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"
