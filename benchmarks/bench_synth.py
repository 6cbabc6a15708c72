"""Speed of the synthetic illustration engine: pairs per second on ONE core.

Run::

    python benchmarks/bench_synth.py                 # sizes 256 and 512, 60 pairs each
    python benchmarks/bench_synth.py --n 200 --sizes 256 512 1024 --json out.json

Threads of OpenCV, torch and the BLAS libraries are pinned to 1 before
anything heavy is imported, so the number is what one DataLoader worker gets.
It prints the command, the machine, the date and the result: pairs per second
of this process's CPU time (robust on a shared machine) and of wall-clock time.
Target: at least 5 pairs/s at 512x512.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402 - after the thread limits above
import datetime  # noqa: E402 - after the thread limits above
import json  # noqa: E402 - after the thread limits above
import platform  # noqa: E402 - after the thread limits above
import shlex  # noqa: E402 - after the thread limits above
import sys  # noqa: E402 - after the thread limits above
import time  # noqa: E402 - after the thread limits above

import cv2  # noqa: E402 - after the thread limits above


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown cpu"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60, help="pairs per size (default 60)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args()

    cv2.setNumThreads(1)
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover - torch is a dependency, but the bench does not need it
        pass
    from senga import __version__
    from senga.data.synth import SYNTH_VERSION, SynthStream

    print(f"command: {' '.join(shlex.quote(a) for a in [sys.executable, *sys.argv])}")
    machine = f"{platform.node()} | {_cpu_name()} | {os.cpu_count()} logical cpus"
    print(f"machine: {machine} | python {platform.python_version()} | opencv {cv2.__version__}")
    print(f"date:    {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"senga {__version__}, synth {SYNTH_VERSION}; threads pinned to 1")
    results = {}
    for size in args.sizes:
        stream = SynthStream(args.seed, size)
        stream.pair(10_000)  # warm-up (imports, caches)
        times = []
        wall0 = time.perf_counter()
        for i in range(args.n):
            t0 = time.process_time()
            stream.pair(i)
            times.append(time.process_time() - t0)
        wall = time.perf_counter() - wall0
        total = sum(times)
        times.sort()
        res = {
            "pairs": args.n,
            "pairs_per_s": args.n / total,
            "pairs_per_s_wall": args.n / wall,
            "ms_mean": 1000 * total / args.n,
            "ms_median": 1000 * times[len(times) // 2],
            "ms_p95": 1000 * times[int(0.95 * (len(times) - 1))],
        }
        results[str(size)] = res
        print(
            f"size {size:5d}: {res['pairs_per_s']:6.1f} pairs/s CPU time ({res['pairs_per_s_wall']:.1f} wall clock); "
            f"per pair mean {res['ms_mean']:.1f} ms, median {res['ms_median']:.1f} ms, p95 {res['ms_p95']:.1f} ms"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"argv": sys.argv, "results": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
