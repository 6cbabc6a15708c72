"""Peak memory of ``senga extract`` on a large image (target: 8000 x 8000 under 2 GB on CPU).

Run::

    python benchmarks/bench_extract_memory.py                # 8000 x 8000, bundled model
    python benchmarks/bench_extract_memory.py --size 4000 --model runs/x/best

Writes a synthetic ``--size`` square illustration as PNG into a temporary
folder, then runs ``python -m senga extract IN -o OUT -q --device cpu`` in a
subprocess and reads the child's peak resident set size from
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` once it has exited (psutil
polling every 50 ms as a cross-check). The model is the bundled one, or a
random-init ``senga`` saved to the temporary folder when none is bundled yet
(same architecture, so the same memory).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import cpu_model, drawn_image

LIMIT_BYTES = 2 * 1024**3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=8000, help="side of the square test image (pixels)")
    parser.add_argument("--model", default="default", help="model folder, or 'default'")
    parser.add_argument("--extra", default="", help="extra flags for senga extract, e.g. '--tile 512'")
    args = parser.parse_args()

    import psutil
    from PIL import Image

    from senga.models import bundled_model_dir

    with tempfile.TemporaryDirectory() as tmp:
        model = args.model
        desc = model
        if model == "default" and not (bundled_model_dir() / "model.safetensors").is_file():
            import torch

            from senga.models import create_model, save_pretrained

            torch.manual_seed(0)
            model = str(save_pretrained(create_model("senga"), Path(tmp) / "model"))
            desc = "random-init 'senga' (no bundled model yet; same architecture)"
        src = Path(tmp) / "big.png"
        t = time.perf_counter()
        Image.fromarray(drawn_image(args.size)).save(src, compress_level=1)
        made = time.perf_counter() - t
        cmd = [
            sys.executable,
            "-m",
            "senga",
            "extract",
            str(src),
            "-o",
            str(Path(tmp) / "out.png"),
            "--model",
            model,
            "--device",
            "cpu",
            "-q",
            "--max-pixels",
            str(args.size**2),
            *args.extra.split(),
        ]
        t = time.perf_counter()
        child = subprocess.Popen(cmd)
        proc = psutil.Process(child.pid)
        polled = 0
        while child.poll() is None:
            try:
                polled = max(polled, proc.memory_info().rss)
            except psutil.NoSuchProcess:
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
        ok_out = (Path(tmp) / "out.png").is_file()
        if ok_out:
            with Image.open(Path(tmp) / "out.png") as im:
                out_size = im.size

    shown = " ".join(Path(c).name if c == sys.executable else c for c in cmd)
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"  runs:  {shown}")
    print(f"date:    {dt.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(
        f"machine: {cpu_model()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 1024**3:.0f} GiB RAM"
    )
    print(f"model:   {desc}")
    print(f"image:   {args.size}x{args.size} = {args.size**2 / 1e6:.1f} MP PNG (made in {made:.1f} s)")
    print(
        f"result:  exit code {child.returncode}, output {f'{out_size[0]}x{out_size[1]}' if ok_out else 'MISSING'}, "
        f"{elapsed:.1f} s"
    )
    print(f"peak RSS: {peak / 1024**3:.2f} GiB (ru_maxrss); psutil polling saw {polled / 1024**3:.2f} GiB")
    passed = child.returncode == 0 and ok_out and peak < LIMIT_BYTES
    print(f"target < 2 GiB: {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
