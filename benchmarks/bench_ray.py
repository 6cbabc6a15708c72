"""Overhead of the Ray Data engine against the local engine, on one machine.

Run::

    python benchmarks/bench_ray.py                       # 64 images of 512x512, local Ray on all CPUs
    python benchmarks/bench_ray.py --n 256 --size 1024 --actors 4 --address auto   # on a running cluster
    python benchmarks/bench_ray.py --gpus-per-actor 1 --device cuda                # one actor per GPU

Makes ``--n`` synthetic drawings (``--size`` square PNGs) in a temporary
folder, then runs, ``--rounds`` times alternating (medians reported: the
machine may be shared with other work):

1. the local engine (``senga.batch.runner.run_files``: one process, torch on
   every CPU, decode/write threads), model load included;
2. the Ray engine (``senga.batch.ray_engine.run_ray``) on a Ray started
   before the clock starts (cluster start-up is printed apart): actor start,
   model load in each actor, the batches and the manifest included.

It prints images/s of each and Ray's time over local's (the target:
at most 1.25 on one node), whether every output file is byte-identical,
the peak resident memory of each actor and the actors' model time per image
(both from the run manifest).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from common import cpu_model, drawn_image
from senga.batch.ray_engine import RayOptions, require_ray, run_ray
from senga.batch.runner import plan_outputs, run_files
from senga.extract import LineExtractor


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.png"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=64, help="images (default 64)")
    parser.add_argument("--size", type=int, default=512, help="image side in pixels (default 512)")
    parser.add_argument("--model", default="default", help="model folder (default: the bundled model)")
    parser.add_argument("--device", default="cpu", help="device of both engines (default cpu)")
    parser.add_argument(
        "--actors", type=int, default=None, help="Ray actors (default: one per CPU / GPU share)"
    )
    parser.add_argument("--cpus-per-actor", type=float, default=1.0)
    parser.add_argument("--gpus-per-actor", type=float, default=0.0)
    parser.add_argument("--batch-size", type=int, default=4, help="images per Ray batch (default 4)")
    parser.add_argument("--address", default=None, help="Ray cluster (default: a local Ray on this machine)")
    parser.add_argument(
        "--rounds", type=int, default=2, help="local/Ray alternations; medians reported (default 2)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()

    ray = require_ray()
    cpus = os.cpu_count() or 1
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench_ray_") as tmp:
        root = Path(tmp)
        src = root / "in"
        src.mkdir()
        for i in range(args.n):
            Image.fromarray(drawn_image(args.size, seed=i)).save(src / f"im{i:04d}.png")
        make = functools.partial(LineExtractor.from_pretrained, args.model, device=args.device)

        t0 = time.perf_counter()
        os.environ.setdefault("RAY_agent_register_timeout_ms", "120000")
        if args.address is None:
            ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
        else:
            ray.init(address=args.address, log_to_driver=False, logging_level="WARNING")
        ray_init_s = time.perf_counter() - t0
        options = RayOptions(
            actors=args.actors,
            cpus_per_actor=args.cpus_per_actor,
            gpus_per_actor=args.gpus_per_actor,
            batch_size=args.batch_size,
            progress=False,
        )

        local_times: list[float] = []
        ray_times: list[float] = []
        identical = True
        for rnd in range(args.rounds):  # local, Ray, local, Ray, ...: drifting load hits both alike
            for folder in ("local", "ray"):
                shutil.rmtree(root / folder, ignore_errors=True)
            t0 = time.perf_counter()
            jobs, problems = plan_outputs([src], root / "local")
            assert not problems, problems
            summary = run_files(jobs, make(), workers=2)
            local_times.append(time.perf_counter() - t0)
            assert summary.ok and len(summary.done) == args.n, summary.line()

            jobs, _ = plan_outputs([src], root / "ray")
            t0 = time.perf_counter()
            result = run_ray(jobs, make, root / "manifest.parquet", options)
            ray_times.append(time.perf_counter() - t0)
            assert result.ok and result.done == args.n, result.line()
            identical = identical and _files(root / "local") == _files(root / "ray")
            print(
                f"round {rnd + 1}: local {local_times[-1]:.1f} s, Ray {ray_times[-1]:.1f} s", file=sys.stderr
            )
        ray.shutdown()

        import pyarrow.parquet as pq

        rows = pq.read_table(root / "manifest.parquet").to_pylist()  # the last round's
        peak: dict[str, float] = {}
        model_s = 0.0
        for r in rows:
            peak[r["actor"]] = max(peak.get(r["actor"], 0.0), r["actor_rss_mib"])
            model_s += r["seconds"]
        n_files = len(_files(root / "ray"))

    local_s = statistics.median(local_times)
    ray_s = statistics.median(ray_times)
    local_rate = args.n / local_s
    ray_rate = args.n / ray_s
    out = {
        "command": "python benchmarks/bench_ray.py " + " ".join(sys.argv[1:]),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.platform()}, {cpu_model()} ({cpus} logical CPUs), Python {platform.python_version()}",
        "ray": ray.__version__,
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "images": args.n,
        "size": args.size,
        "actors": result.actors,
        "batch_size": args.batch_size,
        "rounds": args.rounds,
        "local_seconds_per_round": [round(t, 2) for t in local_times],
        "ray_seconds_per_round": [round(t, 2) for t in ray_times],
        "local_seconds": round(local_s, 2),
        "local_images_per_s": round(local_rate, 3),
        "ray_init_seconds": round(ray_init_s, 2),
        "ray_seconds": round(ray_s, 2),
        "ray_images_per_s": round(ray_rate, 3),
        "ray_over_local_time": round(ray_s / local_s, 3),
        "ray_model_seconds_per_image": round(model_s / args.n, 3),
        "outputs_identical": identical,
        "output_files": n_files,
        "peak_rss_mib_per_actor": {k: round(v, 1) for k, v in sorted(peak.items())},
    }
    print(json.dumps(out, indent=2))
    if args.json is not None:
        args.json.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
