"""Speed of ``senga extract``: seconds per megapixel, end to end from file to file.

Run::

    python benchmarks/bench_extract_speed.py                 # bundled model (random-init "senga" if absent)
    python benchmarks/bench_extract_speed.py --model runs/x/best --size 3000 --device cuda

Makes a synthetic illustration (``--size`` square, PNG) in a temporary folder,
then times the product path several times (decode -> tiled inference -> PNG
encode + atomic write, via ``senga.batch.runner.run_files``) and each stage
alone. Also reports the model's FLOPs per megapixel (``senga.models.count_flops``),
the FLOPs actually executed (tiles overlap), this machine's fp32 matmul
throughput (``torch.mm`` of 2048 x 2048 matrices) and how close the model
stage gets to it. On CUDA, megapixels per second as well. Target:
at most 2.0 s/MP on 2 CPU cores for the bundled model.

Backends side by side::

    python benchmarks/bench_extract_speed.py --backend torch,onnxruntime --ort-variants all,disable,int8 --quality

times each backend variant in one run (same image, same tiling) and prints
s/MP end to end and for the model stage, with the ratio to torch. ONNX
variants: ``all`` / ``extended`` / ``basic`` / ``disable`` = onnxruntime's graph
optimisation level on the exported model (``senga export``); ``int8`` =
onnxruntime dynamic int8 quantisation (``quantize_dynamic``, uint8 weights) of
it, run with all optimisations. ``--quality`` scores every variant (exact F1,
8-bit files) on ``../shared/data/anime/dev``, ``../shared/data/real-dev`` (each
skipped when absent) and ``--synth-n`` images of the synthetic test set, and
says whether int8 stays within 0.01 F1 of the float model (the bar for
offering it).

Default vs fast model, torch vs onnxruntime, fp32 vs bf16 (docs/fast_model.md)::

    python benchmarks/bench_extract_speed.py --matrix --models default,fast --rounds 5
    python benchmarks/bench_extract_speed.py --max-side-table --models default,fast --sides 1024,1280,2048,full

``--matrix`` times every variant end to end in one process, in interleaved
rounds, and prints the ratios and bf16's agreement with fp32;
``--max-side-table`` scores each model at each ``max_side`` on every dev set
and times it end to end on the test image (``benchmarks/speed_matrix.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

try:
    import torch
except ModuleNotFoundError:  # an install without the torch extra
    raise SystemExit(
        "bench_extract_speed.py needs PyTorch: pip install -e '.[torch]' (or pip install torch)"
    ) from None
from common import cpu_model, drawn_image
from senga.extract.backends import OnnxBackend


def matmul_gflops(device: torch.device, n: int = 2048, rounds: int = 5, per_round: int = 4) -> float:
    """Best fp32 ``torch.mm`` throughput over a few rounds (the CPU is often shared)."""
    a = torch.rand(n, n, device=device)
    b = torch.rand(n, n, device=device)
    torch.mm(a, b)
    best = 0.0
    for _ in range(rounds):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t = time.perf_counter()
        for _ in range(per_round):
            torch.mm(a, b)
        if device.type == "cuda":
            torch.cuda.synchronize()
        best = max(best, 2 * n**3 * per_round / (time.perf_counter() - t) / 1e9)
    return best


def executed_flops(model: torch.nn.Module, h: int, w: int, tile: int, overlap: int) -> int:
    """FLOPs of all tile windows ``predict_ink`` runs for an ``h x w`` image."""
    from senga.extract.tiling import Tiling, plan_axis
    from senga.models import count_flops

    m = model.size_multiple
    tile, overlap = Tiling(tile, overlap).aligned(m)
    ys, xs = plan_axis(h, tile, overlap, m), plan_axis(w, tile, overlap, m)
    cache: dict[tuple[int, int], int] = {}
    total = 0
    for ya, yb in zip(ys.starts, ys.ends):
        for xa, xb in zip(xs.starts, xs.ends):
            key = (yb - ya, xb - xa)
            if key not in cache:
                cache[key] = count_flops(model, *key)
            total += cache[key]
    return total


def ort_variants(model_dir: str, names: list[str], tmp: Path) -> dict[str, tuple[Path, str]]:
    """``{variant: (onnx file, optimisation level)}`` for the ONNX variants asked for."""
    from senga.export import export_onnx
    from senga.extract.backends import resolve_onnx_path
    from senga.models import from_pretrained

    out: dict[str, tuple[Path, str]] = {}
    float_file = None
    for name in names:
        if name != "int8":
            try:  # the shipped / exported file, as users run it
                float_file = resolve_onnx_path(None if model_dir == "default" else model_dir)
            except ValueError:
                float_file = export_onnx(
                    from_pretrained(None if model_dir == "default" else model_dir), tmp / "m.onnx"
                )
            out[f"onnxruntime ({name})"] = (float_file, name)
            continue
        from onnxruntime.quantization import QuantType, quantize_dynamic

        # Quantise a float32-stored export (the float16-stored file's weights sit behind Cast nodes).
        f32 = export_onnx(
            from_pretrained(None if model_dir == "default" else model_dir),
            tmp / "f32.onnx",
            float16_storage=False,
        )
        q = tmp / "int8.onnx"
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):  # it prints the graph's shapes
            quantize_dynamic(str(f32), str(q), weight_type=QuantType.QUInt8)
        import onnx

        proto = onnx.load(str(q))  # quantize_dynamic drops senga's metadata; copy it back
        del proto.metadata_props[:]
        proto.metadata_props.extend(onnx.load(str(f32)).metadata_props)
        onnx.save(proto, str(q))
        out["onnxruntime (int8)"] = (q, "all")
    return out


def quality(fns: dict[str, object], synth_n: int, tmp: Path) -> dict[str, dict[str, float]]:
    """Mean exact F1 of each variant on the dev sets (8-bit files, as ``senga extract`` writes them)."""
    from bench_quality import SHARED_DATA, score_set
    from senga.bench.testsets import SYNTH_TEST_SEED, SYNTH_TEST_SIZE
    from senga.data.synth import write_dataset

    sets = {name: SHARED_DATA / name for name in ("anime/dev", "real-dev")}
    for name, root in list(sets.items()):
        if not root.is_dir():
            print(f"{name} not found at {root}: skipped")
            del sets[name]
    synth = tmp / "synth-test"
    write_dataset(synth, synth_n, seed=SYNTH_TEST_SEED, size=SYNTH_TEST_SIZE)
    sets[f"synthetic test ({synth_n})"] = synth
    result: dict[str, dict[str, float]] = {}
    for name, root in sets.items():
        rows = score_set(name.split(" ")[0].replace("/", "-"), root, fns, tmp / "pred")  # type: ignore[arg-type]  # fns maps to callables score_set takes
        result[name] = {variant: float(row["F1"]) for variant, row in rows.items()}
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", default="default", help="model folder, or 'default' (bundled, else random-init senga)"
    )
    parser.add_argument("--size", type=int, default=2048, help="side of the square test image (pixels)")
    parser.add_argument("--repeat", type=int, default=3, help="timed end-to-end runs (best is reported)")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda", "auto"))
    parser.add_argument("--half", action="store_true")
    parser.add_argument(
        "--threads", type=int, default=os.cpu_count(), help="torch threads (default: all cores)"
    )
    parser.add_argument("--tile", type=int, default=None)
    parser.add_argument("--overlap", type=int, default=None)
    parser.add_argument("--backend", default="torch,onnxruntime", help="comma list of torch, onnxruntime")
    parser.add_argument(
        "--ort-variants", default="all", help="comma list of all, extended, basic, disable, int8"
    )
    parser.add_argument("--quality", action="store_true", help="F1 of each variant on the dev sets")
    parser.add_argument("--synth-n", type=int, default=32, help="synthetic test images for --quality")
    parser.add_argument(
        "--matrix", action="store_true", help="models x backends x precisions, interleaved rounds"
    )
    parser.add_argument(
        "--max-side-table", action="store_true", help="F1 and time of each model at each max_side"
    )
    parser.add_argument("--models", default="default,fast", help="comma list for --matrix / --max-side-table")
    parser.add_argument(
        "--precisions", default="fp32,bf16", help="comma list for --matrix (bf16: torch only)"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="interleaved rounds for --matrix / --max-side-table"
    )
    parser.add_argument("--sides", default="1024,1280,2048,full", help="max_side values for --max-side-table")
    parser.add_argument("--sets", default="anime/dev,real-dev,synth", help="sets for --max-side-table")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    if args.matrix or args.max_side_table:
        return matrix_main(args)
    from senga.batch.runner import plan_outputs, run_files
    from senga.extract import LineExtractor
    from senga.extract.tiling import DEFAULT_OVERLAP, DEFAULT_TILE
    from senga.io import read_rgb, write_gray
    from senga.models import bundled_model_dir, create_model, flops_per_megapixel

    backends = [b.strip() for b in args.backend.split(",") if b.strip()]
    tile = args.tile or DEFAULT_TILE
    overlap = DEFAULT_OVERLAP if args.overlap is None else args.overlap
    kw = {"device": args.device, "tile": tile, "overlap": overlap}
    if args.model == "default" and not (bundled_model_dir() / "model.safetensors").is_file():
        torch.manual_seed(0)
        ref = LineExtractor.from_model(create_model("senga"), half=args.half, **kw)
        model_desc = "random-init 'senga' (no bundled model yet; same architecture and cost)"
    else:
        ref = LineExtractor.from_pretrained(args.model, half=args.half, backend="torch", **kw)
        model_desc = args.model
    model, device = ref.model, ref.device

    import onnxruntime

    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"date:    {dt.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(
        f"machine: {cpu_model()}, {os.cpu_count()} cores visible, torch {torch.__version__}, "
        f"{torch.get_num_threads()} torch threads, onnxruntime {onnxruntime.__version__}"
    )
    if device.type == "cuda":
        print(f"gpu:     {torch.cuda.get_device_name(device)}")
    print(f"model:   {model_desc}; device {device}, half={args.half}, tile {tile}, overlap {overlap}")
    print(
        f"load:    {', '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15-min load average: other work shares the CPU)"
    )

    size = args.size
    mp = size * size / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        extractors: dict[str, LineExtractor] = {}
        if "torch" in backends:
            extractors["torch"] = ref
        if "onnxruntime" in backends:
            names = [v.strip() for v in args.ort_variants.split(",") if v.strip()]
            for variant, (path, level) in ort_variants(args.model, names, Path(tmp)).items():
                backend = OnnxBackend(
                    path, device="cpu" if device.type == "cpu" else "cuda", optimization=level
                )
                extractors[variant] = LineExtractor(backend, tile=tile, overlap=overlap)
        src = Path(tmp) / "bench.png"
        from PIL import Image

        Image.fromarray(drawn_image(size)).save(src)
        jobs, _ = plan_outputs([src], Path(tmp) / "out.png")

        def timed(fn):  # best of --repeat: the least disturbed run
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                result = fn()
                if device.type == "cuda":
                    torch.cuda.synchronize()
                times.append(time.perf_counter() - t)
            return min(times), result, times

        rgb = read_rgb(src)
        rows: dict[str, tuple[float, float, list[float]]] = {}
        outputs: dict[str, np.ndarray] = {}
        for name, extractor in extractors.items():
            run_files(
                jobs, extractor, overwrite=True, workers=1
            )  # warm-up (kernels, allocator) on the real size
            best, _, e2e = timed(lambda ex=extractor: run_files(jobs, ex, overwrite=True, workers=1))
            t_model, gray, _ = timed(lambda ex=extractor: ex.predict_gray(rgb))
            rows[name] = (best, t_model, e2e)
            outputs[name] = gray
        t_read, _, _ = timed(lambda: read_rgb(src))
        t_write, _, _ = timed(lambda: write_gray(Path(tmp) / "stage.png", outputs[next(iter(outputs))]))

        print(f"image:   {size}x{size} = {mp:.2f} MP (synthetic drawing, PNG)")
        print(f"stages, best of {args.repeat}: decode {t_read:.2f} s | encode+write {t_write:.2f} s")
        print()
        print(
            "| backend | end to end s/MP | model stage s/MP | speed vs torch (model stage) | max diff vs first (1/255) |"
        )
        print("|---|---:|---:|---:|---:|")
        first = next(iter(outputs))
        base = rows["torch"][1] if "torch" in rows else None
        for name, (best, t_model, _e2e) in rows.items():
            ratio = f"{base / t_model:.2f}x" if base else "-"
            diff = int(np.abs(outputs[name].astype(np.int16) - outputs[first]).max())
            print(f"| {name} | {best / mp:.3f} | {t_model / mp:.3f} | {ratio} | {diff} |")
        print(
            "(end-to-end runs, s: "
            + "; ".join(f"{n}: {', '.join(f'{x:.2f}' for x in r[2])}" for n, r in rows.items())
            + ")"
        )

        if "torch" in rows:
            t_model = rows["torch"][1]
            flops_mp = flops_per_megapixel(model)
            executed = executed_flops(model, size, size, tile, overlap)
            peak = matmul_gflops(device)
            achieved = executed / t_model / 1e9
            print(
                f"model FLOPs: {flops_mp / 1e9:.1f} GFLOP/MP untiled; executed with tiling "
                f"{executed / 1e9 / mp:.1f} GFLOP/MP ({executed / (flops_mp * mp):.2f}x)"
            )
            print(
                f"throughput: torch model stage {achieved:.1f} GFLOP/s vs torch.mm fp32 {peak:.1f} GFLOP/s "
                f"= {100 * achieved / peak:.0f}% of this machine's matmul throughput"
            )
            if device.type == "cuda":
                print(
                    f"gpu: {mp / t_model:.1f} MP/s model stage, {mp / rows['torch'][0]:.1f} MP/s end to end"
                )
        target = 2.0
        best_e2e = min(r[0] for r in rows.values())
        print(
            f"target <= {target} s/MP (2 CPU cores): {'PASS' if best_e2e / mp <= target else 'FAIL'} (best backend)"
        )

        if args.quality:
            scores = quality({n: e.predict_ink for n, e in extractors.items()}, args.synth_n, Path(tmp))
            print()
            print("| set | " + " | ".join(extractors) + " |")
            print("|---|" + "---:|" * len(extractors))
            for name, f1s in scores.items():
                print(f"| {name} F1 | " + " | ".join(f"{f1s[v]:.3f}" for v in extractors) + " |")
            if "onnxruntime (int8)" in extractors:
                floats = [v for v in extractors if v != "onnxruntime (int8)"]
                worst = max(abs(f1s["onnxruntime (int8)"] - f1s[floats[0]]) for f1s in scores.values())
                print(
                    f"int8 vs {floats[0]}: largest |F1 difference| {worst:.4f} -> "
                    f"{'within 0.01: can be offered' if worst <= 0.01 else 'above 0.01: not offered'}"
                )
    return 0


def matrix_main(args: argparse.Namespace) -> int:
    """``--matrix`` / ``--max-side-table`` (see the module docstring)."""
    import onnxruntime
    from PIL import Image

    from senga.extract.precision import cpu_has_bf16
    from speed_matrix import build_variants, max_side_table, speed_matrix

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    kw = {"device": args.device}
    if args.tile:
        kw["tile"] = args.tile
    if args.overlap is not None:
        kw["overlap"] = args.overlap
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"date:    {dt.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(
        f"machine: {cpu_model()}, {os.cpu_count()} cores visible, bf16 instructions: {cpu_has_bf16()}, torch "
        f"{torch.__version__}, {torch.get_num_threads()} torch threads, onnxruntime {onnxruntime.__version__}"
    )
    print(f"load:    {', '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15-min load average at the start)")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "bench.png"
        Image.fromarray(drawn_image(args.size)).save(src)
        print(f"image:   {args.size}x{args.size} synthetic drawing (PNG)")
        if args.matrix:
            backends = [b.strip() for b in args.backend.split(",") if b.strip()]
            precisions = [p.strip() for p in args.precisions.split(",") if p.strip()]
            variants = build_variants(models, backends, precisions, **kw)
            speed_matrix(variants, src, Path(tmp) / "out.png", args.rounds)
        if args.max_side_table:
            from bench_quality import SHARED_DATA
            from senga.bench.testsets import SYNTH_TEST_SEED, SYNTH_TEST_SIZE
            from senga.data.synth import write_dataset

            sides = [None if s.strip() == "full" else int(s) for s in args.sides.split(",") if s.strip()]
            wanted = [n.strip() for n in args.sets.split(",") if n.strip()]
            sets = {n: SHARED_DATA / n for n in wanted if n != "synth" and (SHARED_DATA / n).is_dir()}
            if "synth" in wanted:
                synth = Path(tmp) / "synth-test"
                write_dataset(synth, args.synth_n, seed=SYNTH_TEST_SEED, size=SYNTH_TEST_SIZE)
                sets[f"synthetic test ({args.synth_n})"] = synth
            max_side_table(models, sides, sets, src, Path(tmp) / "pred", args.rounds, **kw)
        print(f"load:    {', '.join(f'{x:.1f}' for x in os.getloadavg())} (at the end)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
