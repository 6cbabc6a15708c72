"""Load on ``senga serve``: N concurrent uploads -> completed / rejected / errors, and the server's peak memory.

Run::

    python benchmarks/bench_serve_load.py                       # 50 uploads of 1024 x 1024 at once
    python benchmarks/bench_serve_load.py --n 50 --retry        # clients retry 429s, as the page does
    python benchmarks/bench_serve_load.py --size 2048 --queue 4 --workers 2

Starts ``python -m senga serve --port 0 --device cpu`` (the bundled model;
``--queue``/``--workers`` passed on) in a subprocess, waits for
``/api/health``, then N threads each POST one synthetic illustration
(``common.drawn_image``, PNG) to ``/api/extract`` at the same moment.
Without ``--retry`` a 429 counts as rejected; with it the client waits the
``Retry-After`` seconds and tries again until it gets an answer. Every
answer is classified: 200 with a PNG of the input's size = completed, 429 =
rejected, anything else (or a 200 with a wrong image, or a broken
connection) = error. The server's resident memory is sampled with psutil
every 50 ms from before the first upload to the last answer; "idle" is the
value after the model loaded. Prints a Markdown table row with the command,
machine and date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import psutil
from PIL import Image

from common import cpu_model, drawn_image


def _start_server(args: argparse.Namespace, log: Path) -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, "-m", "senga", "serve", "--port", "0", "--device", "cpu",
           "--queue", str(args.queue), "--workers", str(args.workers)]  # fmt: skip
    with open(log, "w") as err:
        proc = subprocess.Popen(cmd, stderr=err, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
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


def _post(url: str, png: bytes) -> tuple[int, bytes, dict[str, str]]:
    boundary = "senga-bench-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="load.png"\r\n'
            "Content-Type: image/png\r\n\r\n").encode() + png + f"\r\n--{boundary}--\r\n".encode()  # fmt: skip
    request = urllib.request.Request(
        url + "api/extract", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=3600) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read(), dict(err.headers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="concurrent uploads")
    parser.add_argument("--size", type=int, default=1024, help="side of each square test image (pixels)")
    parser.add_argument("--queue", type=int, default=8, help="senga serve --queue")
    parser.add_argument("--workers", type=int, default=1, help="senga serve --workers")
    parser.add_argument("--retry", action="store_true", help="retry 429 answers after Retry-After seconds")
    args = parser.parse_args()

    images = [drawn_image(args.size, seed=i % 8) for i in range(8)]
    pngs = []
    for img in images:
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, format="PNG")
        pngs.append(buf.getvalue())

    with tempfile.TemporaryDirectory() as tmp:
        proc, url = _start_server(args, Path(tmp) / "serve.log")
        server = psutil.Process(proc.pid)
        time.sleep(1.0)
        idle_rss = server.memory_info().rss
        peak = [idle_rss]
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                try:
                    peak[0] = max(peak[0], server.memory_info().rss)
                except psutil.Error:
                    return
                time.sleep(0.05)

        outcomes: list[str] = []
        latencies: list[float] = []
        attempts = Counter()
        lock = threading.Lock()
        start = threading.Barrier(args.n + 1)

        def client(i: int) -> None:
            png = pngs[i % len(pngs)]
            start.wait()
            t0 = time.monotonic()
            while True:
                try:
                    status, body, headers = _post(url, png)
                except OSError as err:
                    outcome = f"error ({type(err).__name__})"
                    break
                with lock:
                    attempts[status] += 1
                if status == 429 and args.retry:
                    time.sleep(float(headers.get("Retry-After", "5")))
                    continue
                if status == 200:
                    ok = Image.open(io.BytesIO(body)).size == (args.size, args.size)
                    outcome = "completed" if ok else "error (wrong size)"
                elif status == 429:
                    outcome = "rejected"
                else:
                    outcome = f"error ({status}: {json.loads(body or b'{}').get('error', '')[:60]})"
                break
            with lock:
                outcomes.append(outcome)
                if outcome == "completed":
                    latencies.append(time.monotonic() - t0)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.n)]
        for t in threads:
            t.start()
        start.wait()
        t0 = time.monotonic()
        for t in threads:
            t.join()
        wall = time.monotonic() - t0
        sampling.set()
        sampler.join()
        with urllib.request.urlopen(url + "api/health", timeout=30) as r:
            health = json.load(r)
        alive = health["status"] == "ok"
        proc.terminate()
        proc.wait(60)

    counts = Counter(outcomes)
    completed, rejected = counts.pop("completed", 0), counts.pop("rejected", 0)
    errors = sum(counts.values())
    mib = 1024**2
    command = "python benchmarks/bench_serve_load.py " + " ".join(sys.argv[1:])
    print(f"command: {command.strip()}")
    print(f"machine: {cpu_model()}, {psutil.cpu_count()} CPUs; date: {dt.date.today().isoformat()}")
    print(f"HTTP answers (including retries): {dict(sorted(attempts.items()))}")
    if counts:
        print(f"errors: {dict(counts)}")
    print()
    print("| uploads | image | queue / workers | retry | completed | rejected (429) | errors | wall s "
          "| median latency s | server RSS idle MiB | server RSS peak MiB | alive after |")
    print("|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    median = sorted(latencies)[len(latencies) // 2] if latencies else float("nan")
    print(f"| {args.n} | {args.size}x{args.size} PNG | {args.queue} / {args.workers} | "
          f"{'yes' if args.retry else 'no'} | {completed} | {rejected} | {errors} | {wall:.1f} | {median:.1f} | "
          f"{idle_rss / mib:.0f} | {peak[0] / mib:.0f} | {'yes' if alive else 'NO'} |")  # fmt: skip
    return 0 if errors == 0 and alive else 1


if __name__ == "__main__":
    raise SystemExit(main())
