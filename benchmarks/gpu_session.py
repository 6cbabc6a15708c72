"""Train a candidate bundled model and run the Table 1 bench on one GPU, in phases.

For a time-limited GPU machine: each command there is short and the machine
is bare, so the work runs as background jobs that outlive each command, in
three phases:

    PYTHONPATH=src python3 benchmarks/gpu_session.py start  --work /tmp/g --minutes 17 --real-dev DIR
    PYTHONPATH=src python3 benchmarks/gpu_session.py wait   --work /tmp/g --seconds 560
    PYTHONPATH=src python3 benchmarks/gpu_session.py collect --work /tmp/g --out OUTDIR

``start`` makes the synthetic training / validation sets, times every preset
for a few steps with all jobs sharing the GPU, sizes the step budgets to fit
``--minutes`` of training, and launches (detached) one bench per preset plus
a bundled-model training run. ``wait`` sleeps until the jobs end or the
seconds run out. ``collect`` waits for them, merges the per-preset bench runs
into one bench folder and scores them all (plus the classical baselines) with
``senga bench --resume``, and copies the results and the fp16 weights to
``OUTDIR``.

The published results and the bundled model did not come from this script:
they came from CPU runs, with the commands docs/results.md gives. On a
machine without time limits, those plain commands are all that is needed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

PRESETS = ("ours", "wo-attn", "dice", "pix2pix", "exp5")
TRAIN_N, TRAIN_SEED = 3000, 1  # synthetic training set (the bench's test set uses seed 20201105)
VAL_N, VAL_SEED = 16, 777  # synthetic validation set (picks best/ checkpoints)
COMMON = ["--set", "preload=true", "--set", "amp=bf16", "--set", "channels_last=true"]
DEVICE = "cuda"
#: --dry-run: the same phases on a CPU with toy sizes, to check the plumbing.
DRY_RUN = ["--set", "batch=2", "--set", "crop=64", "--set", "amp=none"]
BUNDLED_EXTRA = ["--set", "lr_schedule=cosine"]


def senga(*args: str) -> list[str]:
    return [sys.executable, "-m", "senga", *args]


def sh(cmd: list[str], log: Path | None = None) -> None:
    print("$", " ".join(cmd), flush=True)
    t = time.time()
    if log is None:
        subprocess.run(cmd, check=True)
    else:
        with open(log, "w") as f:
            subprocess.run(cmd, check=True, stdout=f, stderr=subprocess.STDOUT)
    print(f"  ({time.time() - t:.1f} s)", flush=True)


def launch(cmd: list[str], log: Path) -> int:
    """Start ``cmd`` detached (own session), so it outlives this command."""
    print("& ", " ".join(cmd), flush=True)
    with open(log, "w") as f:  # the child keeps its own copy of the descriptor
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
    return p.pid


def bench_cmd(work: Path, preset: str, steps: int, out: Path, real_dev: str | None) -> list[str]:
    cmd = senga(
        "bench",
        "--train",
        str(work / "train"),
        "--val",
        str(work / "val"),
        "--test",
        "synth",
        "--presets",
        preset,
        "--steps",
        str(steps),
        "--out",
        str(out),
        "--device",
        DEVICE,
        "-q",
        *COMMON,
    )
    if real_dev:
        cmd[cmd.index("--test") : cmd.index("--test")] = ["--test", f"real-dev={real_dev}"]
    return cmd


def bundled_cmd(work: Path, steps: int, out: Path) -> list[str]:
    return senga(
        "train",
        "--preset",
        "ours",
        "--data",
        str(work / "train"),
        "--val",
        str(work / "val"),
        "--steps",
        str(steps),
        "--out",
        str(out),
        "--device",
        DEVICE,
        "-q",
        *COMMON,
        *BUNDLED_EXTRA,
    )


def seconds_per_step(run: Path) -> float:
    with open(run / "metrics.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    rows = [r for r in rows if r.get("seconds")]
    (a, b) = (rows[1], rows[-1]) if len(rows) > 2 else (rows[0], rows[-1])
    return (float(b["seconds"]) - float(a["seconds"])) / max(1, int(b["step"]) - int(a["step"]))


def round_steps(n: float) -> int:
    """A step budget: down to a multiple of 100 when large, at least 1."""
    return max(1, int(n) // 100 * 100 if n >= 1000 else int(n))


def start(args: argparse.Namespace) -> None:
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    if DEVICE == "cuda":
        subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv"])
    import torch

    print("torch", torch.__version__, "cuda", torch.cuda.is_available(), flush=True)
    sh(
        senga(
            "synth",
            str(work / "train"),
            "--n",
            str(args.train_n),
            "--seed",
            str(TRAIN_SEED),
            "--workers",
            "16",
        )
    )
    sh(senga("synth", str(work / "val"), "--n", str(VAL_N), "--seed", str(VAL_SEED), "--workers", "8"))

    # Calibrate: every job at once for a few steps, as they will share the GPU.
    calib = work / "calib"
    shutil.rmtree(calib, ignore_errors=True)
    procs = []
    extra = ["--set", "log_every=5", "--set", "val_every=100000", "--set", "sample_every=100000"]
    for name in (*PRESETS, "bundled"):
        preset = "ours" if name == "bundled" else name
        cmd = senga(
            "train",
            "--preset",
            preset,
            "--data",
            str(work / "train"),
            "--steps",
            str(args.calib_steps),
            "--out",
            str(calib / name),
            "--device",
            DEVICE,
            "-q",
            *COMMON,
            *extra,
        )
        with open(work / f"calib_{name}.log", "w") as log:
            procs.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT))
    for p in procs:
        p.wait()
    rates = {}
    for name in (*PRESETS, "bundled"):
        try:
            rates[name] = seconds_per_step(calib / name)
        except Exception as err:  # report and stop
            print((work / f"calib_{name}.log").read_text()[-3000:])
            raise SystemExit(f"calibration of {name} failed: {err}") from err
    print("seconds/step with all jobs sharing the GPU:", json.dumps(rates, indent=1), flush=True)

    window = args.minutes * 60 - (time.time() - t0) + args.setup_credit
    # Budget for the slowest bench preset (pix2pix), with margin for validation and start-up.
    bench_steps = round_steps(0.8 * window / max(rates[p] for p in PRESETS))
    bundled_steps = round_steps(0.85 * window / rates["bundled"])
    plan = {
        "window_s": window,
        "rates": rates,
        "bench_steps": bench_steps,
        "bundled_steps": bundled_steps,
        "train_n": args.train_n,
        "train_seed": TRAIN_SEED,
        "val_n": VAL_N,
        "val_seed": VAL_SEED,
        "jobs": {},
    }
    for p in PRESETS:
        cmd = bench_cmd(work, p, bench_steps, work / f"bench_{p}", args.real_dev)
        plan["jobs"][p] = {"pid": launch(cmd, work / f"bench_{p}.log"), "cmd": cmd}
    cmd = bundled_cmd(work, bundled_steps, work / "bundled")
    plan["jobs"]["bundled"] = {"pid": launch(cmd, work / "bundled.log"), "cmd": cmd}
    (work / "plan.json").write_text(json.dumps(plan, indent=1))
    print(json.dumps({k: v for k, v in plan.items() if k != "jobs"}, indent=1), flush=True)
    if args.wait:
        wait_jobs(work, args.wait)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    # A finished child of a dead parent may linger as a zombie.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def progress(work: Path) -> None:
    for log in sorted(work.glob("*.log")):
        if log.name.startswith("calib"):
            continue
        tail = (
            log.read_text(errors="replace").strip().splitlines()[-1:] if log.stat().st_size else ["(empty)"]
        )
        print(f"  {log.name}: {tail[0][-160:] if tail else ''}")
    for m in sorted(work.glob("**/metrics.csv")):
        if "calib" in m.parts:
            continue
        lines = m.read_text().strip().splitlines()
        print(f"  {m.relative_to(work)}: {lines[-1] if len(lines) > 1 else '(no rows)'}")
    sys.stdout.flush()


def wait_jobs(work: Path, seconds: float) -> bool:
    plan = json.loads((work / "plan.json").read_text())
    end = time.time() + seconds
    while True:
        running = [k for k, j in plan["jobs"].items() if alive(j["pid"])]
        if not running or time.time() >= end:
            break
        time.sleep(min(30.0, max(1.0, end - time.time())))
    print(f"running: {running or 'none'}", flush=True)
    progress(work)
    return not running


def collect(args: argparse.Namespace) -> None:
    work, out = args.work, args.out
    out.mkdir(parents=True, exist_ok=True)
    plan = json.loads((work / "plan.json").read_text())
    if not wait_jobs(work, args.seconds):
        for name, j in plan["jobs"].items():
            if alive(j["pid"]):
                print(f"killing unfinished job {name}", flush=True)
                os.killpg(j["pid"], signal.SIGTERM)
    # Merge the per-preset benches and score everything in one table.
    bench = work / "bench"
    (bench / "runs").mkdir(parents=True, exist_ok=True)
    for p in PRESETS:
        src = work / f"bench_{p}"
        for item in (src / "runs").glob("*"):
            dst = bench / "runs" / item.name
            if not dst.exists():
                shutil.move(str(item), str(dst))
        if (src / "synth-test").exists() and not (bench / "synth-test").exists():
            shutil.copytree(src / "synth-test", bench / "synth-test")
    cmd = bench_cmd(work, ",".join(PRESETS), plan["bench_steps"], bench, args.real_dev)
    cmd.remove("-q")
    cmd.append("--resume")
    sh(cmd, log=work / "bench_final.log")
    for name in ("results.md", "results.json", "comparison.png"):
        shutil.copy(bench / name, out / name)
    # Bundled model: the best checkpoint by synthetic validation F1, stored as fp16.
    import torch

    from senga.models import from_pretrained, save_pretrained

    run = work / "bundled"
    model = from_pretrained(run / "best" if (run / "best").is_dir() else run / "last")
    save_pretrained(model, out / "bundled", dtype=torch.float16)
    with open(out / "bundled_metrics.csv", "w") as f:
        f.write((run / "metrics.csv").read_text())
    (out / "plan.json").write_text(json.dumps(plan, indent=1))
    logs = [str(p.relative_to(work)) for p in work.glob("*.log")]
    logs += [str(p.relative_to(work)) for p in work.glob("**/metrics.csv") if "calib" not in p.parts]
    logs += [
        str(p.relative_to(work))
        for p in work.glob("**/config.json")
        if p.parent.name == p.parent.parent.name or p.parent.parent.name in ("runs", "bundled")
    ]
    subprocess.run(["tar", "czf", str(out / "logs.tar.gz"), "-C", str(work), *sorted(set(logs))], check=False)
    print((bench / "results.md").read_text())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("phase", choices=("start", "wait", "collect"))
    ap.add_argument("--work", type=Path, default=Path("/tmp/senga-gpu"))
    ap.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", "/tmp/senga-gpu-out")))
    ap.add_argument("--minutes", type=float, default=17.0, help="training window for all jobs")
    ap.add_argument(
        "--setup-credit", type=float, default=0.0, help="seconds of the window already spent elsewhere"
    )
    ap.add_argument("--calib-steps", type=int, default=30)
    ap.add_argument(
        "--seconds", type=float, default=560.0, help="wait/collect: how long to wait for the jobs"
    )
    ap.add_argument("--wait", type=float, default=0.0, help="start: then wait this long")
    ap.add_argument("--real-dev", default=None, help="paired folder of real-dev, scored as a second test set")
    ap.add_argument("--train-n", type=int, default=TRAIN_N, help="synthetic training pairs")
    ap.add_argument("--dry-run", action="store_true", help="CPU, toy batch and crop: check the plumbing")
    args = ap.parse_args()
    if args.dry_run:
        global DEVICE
        DEVICE = "cpu"
        COMMON.extend(DRY_RUN)
    {"start": start, "wait": lambda a: wait_jobs(a.work, a.seconds), "collect": collect}[args.phase](args)


if __name__ == "__main__":
    main()
