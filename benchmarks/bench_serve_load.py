"""Load and abuse on ``senga serve``: what each client got, latency, the server's peak memory, alive after.

Run::

    python benchmarks/bench_serve_load.py                        # every scenario, 256 x 256 images
    python benchmarks/bench_serve_load.py --only load --n 50 --retry --size 1024
    python benchmarks/bench_serve_load.py --queue 4 --workers 2

Starts ``python -m senga serve --port 0 --device cpu`` (``--model``, default
the bundled model; ``--queue`` / ``--workers`` / ``--upload-timeout`` passed
on) in a subprocess, waits for ``/api/health``, then runs the scenarios one
after the other against the one server:

* ``load``: N clients POST one synthetic illustration (``common.drawn_image``,
  PNG) to ``/api/extract`` at the same moment (with ``--retry`` a 429 is
  retried after its ``Retry-After``, as the page does);
* ``big``: an upload declaring 100 MB (above the 64 MiB limit) that then
  sends its body in 1 MiB pieces: the answer must come before the body is
  read (the MiB sent before the answer are reported);
* ``bomb``: a small PNG file declaring 50000 x 50000 pixels (2.5 gigapixels):
  refused from its header, never decoded;
* ``slow``: 10 clients send their headers and 40 bytes of the body, then
  stall; each must get 408 within ``--upload-timeout`` (+ slack) while a
  normal upload sent meanwhile completes;
* ``drop``: 10 clients hang up halfway through sending their upload, then
  10 clients hang up on ``/api/extract/stream`` after its first event (mid
  result); the queue must drain (nothing running or waiting afterwards).

Every answer is classified by status (200 with a PNG of the input's size =
ok). The server's resident memory (psutil) is sampled every 20 ms through
each scenario; "idle" is the value after the model loaded. Afterwards the
server must still answer ``/api/health`` and an upload. Prints the command,
machine, date and a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from PIL import Image

from common import cpu_model, drawn_image

BOUNDARY = "senga-bench-boundary"
MIB = 2**20
SCENARIOS = ("load", "big", "bomb", "slow", "drop")


def _start_server(args: argparse.Namespace, log: Path) -> tuple[subprocess.Popen, str]:
    cmd = [
        sys.executable,
        "-m",
        "senga",
        "serve",
        "--port",
        "0",
        "--device",
        "cpu",
        "--model",
        args.model,
        "--queue",
        str(args.queue),
        "--workers",
        str(args.workers),
        "--upload-timeout",
        str(args.upload_timeout),
    ]
    with open(log, "w") as err:
        proc = subprocess.Popen(cmd, stderr=err, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    url = None
    while url is None:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"senga serve did not start:\n{log.read_text()}")
        m = re.search(r"serving (http://\S+/) ", log.read_text())
        url = m.group(1) if m else None
        time.sleep(0.1)
    while True:
        try:
            with urllib.request.urlopen(url + "api/health", timeout=5):
                return proc, url
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"no answer from {url}:\n{log.read_text()}") from None
            time.sleep(0.2)


def _body(data: bytes, name: str = "load.png") -> bytes:
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="{name}"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def _post(url: str, data: bytes, path: str = "api/extract") -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(
        url + path, data=_body(data), headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=3600) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read(), dict(err.headers)


def _png(img) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    return buf.getvalue()


def bomb_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A small PNG whose header declares ``width x height`` 1-bit gray pixels (a few rows of data follow)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    rows = zlib.compress(b"\0" * ((width + 7) // 8 + 1) * 64, 9)
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


class RssSampler:
    """The peak resident memory of a process, sampled every ``every_s`` seconds while active."""

    def __init__(self, pid: int, every_s: float = 0.02) -> None:
        self.process = psutil.Process(pid)
        self.every_s = every_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def now(self) -> int:
        return self.process.memory_info().rss

    def __enter__(self) -> RssSampler:
        self.peak = self.now()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.now())
            except psutil.Error:
                return
            time.sleep(self.every_s)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join()


@dataclass
class Row:
    """One scenario's outcome."""

    scenario: str
    requests: int
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    rss_peak: int = 0
    note: str = ""
    ok: bool = True

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        values = sorted(self.latencies)
        return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _in_threads(n: int, fn: Callable[[int], None]) -> None:
    threads = [threading.Thread(target=fn, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def run_load(url: str, args: argparse.Namespace, pngs: list[bytes]) -> Row:
    row = Row("load", args.n)
    lock = threading.Lock()
    start = threading.Barrier(args.n)
    retried = Counter()

    def client(i: int) -> None:
        png = pngs[i % len(pngs)]
        start.wait()
        t0 = time.monotonic()
        while True:
            try:
                status, body, headers = _post(url, png)
            except OSError as err:
                outcome: str | int = f"broken ({type(err).__name__})"
                break
            if status == 429 and args.retry:
                with lock:
                    retried[429] += 1
                time.sleep(float(headers.get("Retry-After", "5")))
                continue
            outcome = status
            if status == 200 and Image.open(io.BytesIO(body)).size != (args.size, args.size):
                outcome = "200 wrong size"
            break
        with lock:
            row.statuses[outcome] += 1
            if outcome == 200:
                row.latencies.append(time.monotonic() - t0)

    _in_threads(args.n, client)
    row.ok = row.statuses[200] + row.statuses[429] == args.n
    if args.retry:
        row.note = f"retrying 429s ({retried[429]} retries)"
    return row


def _raw(url: str) -> tuple[str, int]:
    m = re.match(r"http://([^/:]+|\[[^\]]+\]):(\d+)/", url)
    assert m, url
    return m.group(1).strip("[]"), int(m.group(2))


def _read_status(sock: socket.socket) -> int:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return 0
        data += chunk
    return int(data.split(b" ", 2)[1])


def run_big(url: str) -> Row:
    row = Row("big", 1)
    size = 100 * MIB
    host, port = _raw(url)
    piece = b"\0" * MIB
    sent = 0
    t0 = time.monotonic()
    with socket.create_connection((host, port), timeout=60) as s:
        s.sendall(
            (
                f"POST /api/extract HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {size}\r\n\r\n"
            ).encode()
        )
        s.setblocking(False)
        status = 0
        while sent < size:
            try:
                data = s.recv(4096)
                status = int(data.split(b" ", 2)[1]) if data else -1
                break
            except BlockingIOError:
                pass
            try:
                sent += s.send(piece)
            except BlockingIOError:
                time.sleep(0.01)
            except OSError:
                break
        s.setblocking(True)
        s.settimeout(30)
        if status == 0:
            status = _read_status(s)
    row.latencies.append(time.monotonic() - t0)
    row.statuses[status] += 1
    row.note = f"answered after {sent / MIB:.0f} of 100 MiB sent"
    row.ok = status == 413
    return row


def run_bomb(url: str) -> Row:
    row = Row("bomb", 1)
    data = bomb_png()
    t0 = time.monotonic()
    status, _, _ = _post(url, data)
    row.latencies.append(time.monotonic() - t0)
    row.statuses[status] += 1
    row.note = f"{len(data):,}-byte PNG declaring 50000x50000"
    row.ok = status == 413
    return row


def run_slow(url: str, args: argparse.Namespace, png: bytes, n: int = 10) -> Row:
    row = Row("slow", n + 1)
    host, port = _raw(url)
    body = _body(png)
    lock = threading.Lock()

    def stall(i: int) -> None:
        t0 = time.monotonic()
        with socket.create_connection((host, port), timeout=args.upload_timeout + 30) as s:
            s.sendall(
                (
                    f"POST /api/extract HTTP/1.1\r\nHost: {host}:{port}\r\n"
                    f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode()
                + body[:40]
            )
            try:
                status = _read_status(s)
            except OSError:
                status = 0
        with lock:
            row.statuses[status or "no answer"] += 1
            row.latencies.append(time.monotonic() - t0)

    threads = [threading.Thread(target=stall, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    t0 = time.monotonic()
    status, _, _ = _post(url, png)  # a normal client meanwhile
    normal_s = time.monotonic() - t0
    for t in threads:
        t.join()
    row.statuses[f"normal {status}"] += 1
    slowest = max(row.latencies)
    row.note = f"408 after {slowest:.1f} s at most (timeout {args.upload_timeout} s); a normal upload meanwhile took {normal_s:.1f} s"
    row.ok = row.statuses[408] == n and status == 200 and slowest < args.upload_timeout + 10
    return row


def _health(url: str) -> dict:
    with urllib.request.urlopen(url + "api/health", timeout=30) as r:
        return json.load(r)


def run_drop(url: str, png: bytes, n: int = 10) -> Row:
    row = Row("drop", 2 * n)
    host, port = _raw(url)
    body = _body(png)

    def mid_upload(i: int) -> None:
        with socket.create_connection((host, port), timeout=30) as s:
            s.sendall(
                (
                    f"POST /api/extract HTTP/1.1\r\nHost: {host}:{port}\r\n"
                    f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode()
                + body[: len(body) // 2]
            )
            time.sleep(0.2)
        row.statuses["hung up mid-upload"] += 1

    def mid_result(i: int) -> None:
        with socket.create_connection((host, port), timeout=60) as s:
            s.sendall(
                (
                    f"POST /api/extract/stream HTTP/1.1\r\nHost: {host}:{port}\r\n"
                    f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode()
                + body
            )
            status = _read_status(s)
        row.statuses[f"{status}, hung up mid-result"] += 1

    _in_threads(n, mid_upload)
    _in_threads(n, mid_result)
    deadline = time.monotonic() + 120
    while (q := _health(url)["queue"])["running"] or q["waiting"]:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    row.note = f"queue drained: running {q['running']}, waiting {q['waiting']}"
    row.ok = q["running"] == 0 and q["waiting"] == 0
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="concurrent uploads in the load scenario")
    parser.add_argument("--size", type=int, default=256, help="side of each square test image (pixels)")
    parser.add_argument("--model", default="default", help="senga serve --model")
    parser.add_argument("--queue", type=int, default=8, help="senga serve --queue")
    parser.add_argument("--workers", type=int, default=1, help="senga serve --workers")
    parser.add_argument(
        "--upload-timeout", type=int, default=5, help="senga serve --upload-timeout (seconds)"
    )
    parser.add_argument(
        "--retry", action="store_true", help="load: retry 429 answers after Retry-After seconds"
    )
    parser.add_argument("--only", choices=SCENARIOS, action="append", help="run only these scenarios")
    args = parser.parse_args()
    chosen = args.only or list(SCENARIOS)

    pngs = [_png(drawn_image(args.size, seed=i)) for i in range(8)]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = _start_server(args, Path(tmp) / "serve.log")
        try:
            rss = RssSampler(proc.pid)
            time.sleep(1.0)
            idle = rss.now()
            _post(url, pngs[0])  # warm-up: the first call builds the backend's buffers
            warm = rss.now()
            for name in chosen:
                with rss:
                    if name == "load":
                        row = run_load(url, args, pngs)
                    elif name == "big":
                        row = run_big(url)
                    elif name == "bomb":
                        row = run_bomb(url)
                    elif name == "slow":
                        row = run_slow(url, args, pngs[0])
                    else:
                        row = run_drop(url, pngs[0])
                row.rss_peak = rss.peak
                rows.append(row)
            health = _health(url)
            status, _, _ = _post(url, pngs[1])
            alive = health["status"] == "ok" and status == 200 and proc.poll() is None
            final = rss.now()
        finally:
            proc.terminate()
            proc.wait(60)

    command = "python benchmarks/bench_serve_load.py " + " ".join(sys.argv[1:])
    print(f"command: {command.strip()}")
    print(f"machine: {cpu_model()}, {psutil.cpu_count()} CPUs; date: {dt.date.today().isoformat()}")
    print(
        f"server: --model {args.model} --queue {args.queue} --workers {args.workers} "
        f"--upload-timeout {args.upload_timeout}; images {args.size}x{args.size} PNG"
    )
    print(
        f"server RSS: idle {idle / MIB:.0f} MiB, after one image {warm / MIB:.0f} MiB, at the end {final / MIB:.0f} MiB; "
        f"alive after: {'yes' if alive else 'NO'} (health {health['status']}, an upload got {status})"
    )
    print()
    print("| scenario | requests | answers | p50 s | p95 s | server RSS peak MiB | as designed | note |")
    print("|---|---:|---|---:|---:|---:|---|---|")
    for r in rows:
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(r.statuses.items(), key=lambda kv: str(kv[0])))
        print(
            f"| {r.scenario} | {r.requests} | {answers} | {r.percentile(0.5):.3f} | {r.percentile(0.95):.3f} | "
            f"{r.rss_peak / MIB:.0f} | {'yes' if r.ok else 'NO'} | {r.note} |"
        )
    return 0 if alive and all(r.ok for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
