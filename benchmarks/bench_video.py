"""Video: temporal stability of the line art, frame equality with stills, throughput vs PNG files.

Clips are made from still illustrations (``examples/illustration.png``, and the
``real-look`` drawings of the project data when present) with a known motion:

* ``still``: the same frame repeated;
* ``pan``: a window sliding ``--pan`` px per frame to the right;
* ``zoom``: a centered window shrinking by ``--zoom`` per frame, resized to the clip size.

Each clip is written losslessly (FFV1 ``.mkv``), run through ``senga.video.extract_video``
to PNG frames, and scored in 8-bit levels (0..255):

* ``input change``: mean |frame_t - frame_{t-1}| of the input, as is;
* ``input after undo``: the same after undoing the known motion (0 for a still or an
  integer pan; interpolation for the zoom);
* ``lines change`` / ``lines after undo``: the same for the line art.

Target: still -> exactly 0; pan -> lines after undo <= input change.

``--equality``: a 10 s 1280x720 24 fps H.264 clip: frame count, size, rate and
timestamps of the output (``.mp4`` and PNG frames), and for ``--equality-every``-th
frames the output PNG against ``predict_gray`` of the same decoded frame (max
difference, 1/255 units).

``--throughput``: the same frames as an ``.mp4`` -> ``.mp4`` run and as a folder of PNG
files -> PNG files (``senga.batch.runner.run_files``), interleaved, best of ``--repeat``;
ratio video / PNG seconds.

Example::

    nice -n 10 python benchmarks/bench_video.py --backend onnxruntime --out /tmp/bench_video.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import cpu_model
from senga.batch.runner import plan_outputs, run_files
from senga.extract import LineExtractor
from senga.io import read_gray, read_rgb, write_rgb
from senga.video import VideoWriter, decode_frames, extract_video, frame_path, probe, video_target

REPO = Path(__file__).resolve().parents[1]
REAL_LOOK = Path("/work/shared/data/real-look")


def sources(max_side: int) -> list[tuple[str, np.ndarray]]:
    """``(name, rgb)`` still illustrations, reduced so that the longer side is at most ``max_side``."""
    paths = [REPO / "examples" / "illustration.png"]
    if REAL_LOOK.is_dir():
        paths += sorted(REAL_LOOK.glob("*.png"))[:1]
    out = []
    for p in paths:
        img = Image.fromarray(read_rgb(p))
        scale = max_side / max(img.size)
        if scale < 1:
            img = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)
        out.append((p.stem, np.asarray(img)))
    return out


def make_frames(
    still: np.ndarray, kind: str, n: int, size: tuple[int, int], pan: int, zoom: float
) -> list[np.ndarray]:
    """``n`` frames of ``size = (h, w)`` from ``still`` with the known motion ``kind``."""
    h, w = size
    frames = []
    for t in range(n):
        if kind == "still":
            frames.append(still[:h, :w].copy())
        elif kind == "pan":
            frames.append(still[:h, t * pan : t * pan + w].copy())
        else:  # zoom: a centered window of (h, w) / s resized to (h, w)
            s = (1 + zoom) ** t
            cy, cx = still.shape[0] / 2, still.shape[1] / 2
            box = (cx - w / (2 * s), cy - h / (2 * s), cx + w / (2 * s), cy + h / (2 * s))
            frames.append(
                np.asarray(Image.fromarray(still).resize((w, h), Image.Resampling.BICUBIC, box=box))
            )
    return frames


def undo(
    prev: np.ndarray, cur: np.ndarray, kind: str, pan: int, zoom: float
) -> tuple[np.ndarray, np.ndarray]:
    """``(prev, cur)`` brought to the same content positions (cropped to where both are valid)."""
    if kind == "still":
        return prev, cur
    if kind == "pan":
        return prev[:, pan:], cur[:, :-pan]
    # cur is prev zoomed by (1 + zoom) about the center: zoom prev the same way
    h, w = prev.shape[:2]
    s = 1 + zoom
    box = (w / 2 - w / (2 * s), h / 2 - h / (2 * s), w / 2 + w / (2 * s), h / 2 + h / (2 * s))
    warped = np.asarray(Image.fromarray(prev).resize((w, h), Image.Resampling.BICUBIC, box=box))
    m = max(4, round(0.05 * min(h, w)))
    return warped[m:-m, m:-m], cur[m:-m, m:-m]


def change(frames: list[np.ndarray], kind: str | None, pan: int, zoom: float) -> float:
    """Mean |a_t - a_{t-1}| over pixels and frame pairs, motion undone when ``kind`` is given."""
    diffs = []
    for a, b in itertools.pairwise(frames):
        if kind is not None:
            a, b = undo(a, b, kind, pan, zoom)
        diffs.append(float(np.abs(a.astype(np.float32) - b.astype(np.float32)).mean()))
    return float(np.mean(diffs))


def write_clip(path: Path, frames: list[np.ndarray], fps: int) -> None:
    h, w = frames[0].shape[:2]
    with VideoWriter(path, w, h, Fraction(fps), Fraction(1, fps)) as writer:
        for i, f in enumerate(frames):
            writer.write(f, i)


def stability(ex: LineExtractor, args: argparse.Namespace, tmp: Path) -> list[dict[str, object]]:
    rows = []
    size = (args.height, args.width)
    for name, still in sources(args.source_side):
        for kind in ("still", "pan", "zoom"):
            frames = make_frames(still, kind, args.frames, size, args.pan, args.zoom)
            clip = tmp / f"{name}_{kind}.mkv"
            write_clip(clip, frames, 24)
            job = video_target(clip, tmp / f"{name}_{kind}_frames")
            extract_video(job, ex)
            lines = [read_gray(frame_path(job, i)) for i in range(len(frames))]
            undo_kind = kind
            row = {
                "source": name,
                "clip": kind,
                "frames": len(frames),
                "size": f"{size[1]}x{size[0]}",
                "input_change": change(frames, None, args.pan, args.zoom),
                "input_after_undo": change(frames, undo_kind, args.pan, args.zoom),
                "lines_change": change(lines, None, args.pan, args.zoom),
                "lines_after_undo": change(lines, undo_kind, args.pan, args.zoom),
                "lines_max_after_undo": max(
                    int(np.abs(a.astype(np.int16) - b).max())
                    for a, b in (undo(p, c, kind, args.pan, args.zoom) for p, c in itertools.pairwise(lines))
                ),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


def equality(ex: LineExtractor, args: argparse.Namespace, tmp: Path) -> dict[str, object]:
    still = sources(1600)[0][1]
    w, h, fps, seconds = 1280, 720, 24, 10
    side = w + seconds * fps  # the still enlarged to a square this wide, its middle rows panned across
    big = np.asarray(Image.fromarray(still).resize((side, side), Image.Resampling.BICUBIC))
    big = big[(side - h) // 2 : (side - h) // 2 + h]
    frames = [big[:, t : t + w] for t in range(seconds * fps)]  # a slow pan, 1 px per frame
    clip = tmp / "clip720.mp4"
    with VideoWriter(clip, w, h, Fraction(fps), Fraction(1, fps)) as writer:
        for i, f in enumerate(frames):
            writer.write(f, i)
    del frames
    info = probe(clip)
    decoded_times = [f.time for f in decode_frames(clip)]
    out: dict[str, object] = {
        "input": {"frames": len(decoded_times), "size": f"{info.width}x{info.height}", "fps": str(info.fps)}
    }
    # every kept frame through the real pipeline to PNG frames and to .mp4
    from senga.video import Clip

    part = Clip(every=args.equality_every)
    t0 = time.perf_counter()
    job = video_target(clip, tmp / "frames720")
    n_png = extract_video(job, ex, clip=part)
    t_png = time.perf_counter() - t0
    max_diff = 0
    for f in decode_frames(clip, every=args.equality_every):
        still_gray = ex.predict_gray(f.rgb)
        png = read_gray(frame_path(job, f.index))
        max_diff = max(max_diff, int(np.abs(png.astype(np.int16) - still_gray).max()))
    vjob = video_target(clip, tmp / "clip720_lines.mp4")
    extract_video(vjob, ex, clip=part)
    vinfo = probe(vjob.target)
    vtimes = [f.time for f in decode_frames(vjob.target)]
    expected_times = decoded_times[:: args.equality_every]
    # every frame at the full rate, with a cheap classical extractor (the model would take ~1 s a frame here)
    from senga.extract import ClassicalExtractor

    full = video_target(clip, tmp / "clip720_full.mp4")
    t0 = time.perf_counter()
    extract_video(full, ClassicalExtractor("morph"))
    finfo = probe(full.target)
    ftimes = [f.time for f in decode_frames(full.target)]
    out["mp4_out_all_frames_morph"] = {
        "frames": len(ftimes),
        "size": f"{finfo.width}x{finfo.height}",
        "fps": str(finfo.fps),
        "max_timestamp_error_s": float(np.abs(np.array(ftimes) - np.array(decoded_times)).max()),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    out.update(
        frames_compared=n_png,
        max_diff_png_vs_still=max_diff,
        seconds_png_run=round(t_png, 1),
        mp4_out={
            "frames": len(vtimes),
            "size": f"{vinfo.width}x{vinfo.height}",
            "fps": str(vinfo.fps),
            "max_timestamp_error_s": float(
                np.abs(np.array(vtimes) - (np.array(expected_times) - expected_times[0])).max()
            ),
        },
    )
    print(json.dumps(out), flush=True)
    return out


def throughput(ex: LineExtractor, args: argparse.Namespace, tmp: Path) -> dict[str, object]:
    still = sources(1600)[0][1]
    h, w = args.tp_height, args.tp_width
    big = np.asarray(Image.fromarray(still).resize((w + args.tp_frames * 2, h), Image.Resampling.BICUBIC))
    frames = [big[:, 2 * t : 2 * t + w].copy() for t in range(args.tp_frames)]
    clip = tmp / "tp.mp4"
    write_clip(clip, frames, 24)
    decoded = [
        f.rgb for f in decode_frames(clip)
    ]  # the PNG run gets exactly the frames the video run decodes
    png_dir = tmp / "tp_png"
    for i, rgb in enumerate(decoded):
        write_rgb(png_dir / f"f{i:04d}.png", rgb)
    times: dict[str, list[float]] = {"video": [], "png": []}
    for r in range(args.repeat):
        for mode in ("video", "png") if r % 2 == 0 else ("png", "video"):
            t0 = time.perf_counter()
            if mode == "video":
                extract_video(video_target(clip, tmp / f"tp_lines_{r}.mp4"), ex)
            else:
                jobs, problems = plan_outputs([str(png_dir)], tmp / f"tp_png_out_{r}")
                assert not problems
                summary = run_files(jobs, ex, workers=2)
                assert summary.ok
            times[mode].append(time.perf_counter() - t0)
            print(mode, round(times[mode][-1], 2), flush=True)
    best = {k: min(v) for k, v in times.items()}
    out = {
        "frames": len(frames),
        "size": f"{w}x{h}",
        "repeat": args.repeat,
        "seconds": {k: [round(x, 2) for x in v] for k, v in times.items()},
        "best_fps": {k: round(len(frames) / v, 3) for k, v in best.items()},
        "video_over_png_seconds": round(best["video"] / best["png"], 3),
    }
    print(json.dumps(out), flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default="onnxruntime")
    ap.add_argument("--tile", type=int, default=1024)
    ap.add_argument("--overlap", type=int, default=128)
    ap.add_argument("--frames", type=int, default=12)
    ap.add_argument("--width", type=int, default=320)
    ap.add_argument("--height", type=int, default=240)
    ap.add_argument("--source-side", type=int, default=640)
    ap.add_argument("--pan", type=int, default=1)
    ap.add_argument("--zoom", type=float, default=0.01)
    ap.add_argument("--parts", default="stability,equality,throughput")
    ap.add_argument("--equality-every", type=int, default=24)
    ap.add_argument("--tp-frames", type=int, default=12)
    ap.add_argument("--tp-width", type=int, default=640)
    ap.add_argument("--tp-height", type=int, default=360)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    ex = LineExtractor.from_pretrained(backend=args.backend, tile=args.tile, overlap=args.overlap)
    result: dict[str, object] = {
        "command": " ".join(["python", *sys.argv]),
        "cpu": cpu_model(),
        "extractor": repr(ex),
        "date": time.strftime("%Y-%m-%d"),
    }
    parts = args.parts.split(",")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if "stability" in parts:
            result["stability"] = stability(ex, args, tmp)
        if "equality" in parts:
            result["equality"] = equality(ex, args, tmp)
        if "throughput" in parts:
            result["throughput"] = throughput(ex, args, tmp)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
