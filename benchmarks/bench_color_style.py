"""``--style color``: mean color error of line pixels on a synthetic colored-lines drawing.

The drawing: red, blue, green, brown and black anti-aliased lines (1-4 px) over
two light fills and white paper, drawn at 4x and reduced, with each pixel's
true line color known. Line pixels: those the line covers at least half. Two
ink maps are styled with the ``color`` style (``senga.extract.style``):

* ``model``: the bundled model's line art of the drawing (``senga extract``'s ink);
* ``ideal``: coverage x darkness of the line's color (what a perfect extractor gives).

Reported per color and overall: mean |RGB - true RGB| (8-bit, mean over the three
channels) of the color style's line color, next to the input pixel copied as is;
and the share of fill pixels (no line within 3 px) whose alpha is above 10/255.
Target: mean error < 20.

Example::

    nice -n 10 python benchmarks/bench_color_style.py --backend onnxruntime
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from senga.extract import LineExtractor
from senga.extract.style import OutputStyle, render, render_gray
from senga.io.color import luma

COLORS = {
    "red": (220, 30, 30),
    "blue": (30, 60, 210),
    "green": (20, 140, 60),
    "brown": (120, 70, 30),
    "black": (0, 0, 0),
}
FILLS = ((250, 225, 150), (170, 215, 240))
SCALE = 4


def drawing(
    h: int = 384, w: int = 512, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(rgb, ideal ink, true color, coverage)`` of a random colored-lines drawing."""
    rng = np.random.default_rng(seed)
    big = (w * SCALE, h * SCALE)
    base = Image.new("RGB", big, (255, 255, 255))
    d = ImageDraw.Draw(base)
    d.rectangle([w * SCALE // 10, h * SCALE // 8, w * SCALE // 2, h * SCALE * 7 // 8], fill=FILLS[0])
    d.ellipse([w * SCALE * 2 // 5, h * SCALE // 5, w * SCALE * 19 // 20, h * SCALE * 9 // 10], fill=FILLS[1])
    canvas = np.asarray(base, np.float32) / 255.0
    ink = np.zeros((h, w), np.float32)
    truth = np.full((h, w, 3), 255, np.uint8)
    owner = np.zeros((h, w), np.float32)
    names = list(COLORS)
    for k in range(30):
        color = COLORS[names[k % len(names)]]
        pts = [(float(rng.uniform(0, w)) * SCALE, float(rng.uniform(0, h)) * SCALE) for _ in range(3)]
        width = int(rng.integers(1, 5)) * SCALE
        mask = Image.new("L", big, 0)
        ImageDraw.Draw(mask).line(pts, fill=255, width=width, joint="curve")
        m = np.asarray(mask, np.float32)[..., None] / 255.0
        canvas = m * (np.array(color, np.float32) / 255.0) + (1 - m) * canvas
        cover = np.asarray(mask.resize((w, h), Image.Resampling.BOX), np.float32) / 255.0
        ink = np.maximum(ink, cover * (1.0 - luma(color) / 255.0))
        mine = cover > owner
        truth[mine] = color
        owner = np.maximum(owner, cover)
    small = Image.fromarray(np.clip(np.rint(canvas * 255), 0, 255).astype(np.uint8)).resize(
        (w, h), Image.Resampling.BOX
    )
    return np.asarray(small), ink, truth, owner


def score(rgba: np.ndarray, rgb: np.ndarray, truth: np.ndarray, coverage: np.ndarray) -> dict[str, object]:
    out: dict[str, object] = {}
    all_err, all_copy = [], []
    for name, color in COLORS.items():
        sel = (coverage >= 0.5) & (truth == np.array(color, np.uint8)).all(axis=2)
        err = np.abs(rgba[sel, :3].astype(np.float32) - np.array(color)).mean(axis=1)
        copy = np.abs(rgb[sel].astype(np.float32) - np.array(color)).mean(axis=1)
        out[name] = {
            "pixels": int(sel.sum()),
            "mean_error": round(float(err.mean()), 2),
            "copied_pixel_error": round(float(copy.mean()), 2),
        }
        all_err.append(err)
        all_copy.append(copy)
    near = (
        np.asarray(Image.fromarray((coverage > 0).astype(np.uint8) * 255).filter(ImageFilter.MaxFilter(7)))
        > 0
    )
    fills = ~near & (rgb != 255).any(axis=2)
    out["all"] = {
        "mean_error": round(float(np.concatenate(all_err).mean()), 2),
        "copied_pixel_error": round(float(np.concatenate(all_copy).mean()), 2),
    }
    out["fill_pixels_with_alpha_over_10"] = round(float((rgba[fills, 3] > 10).mean()), 4)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default="onnxruntime")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    rgb, ideal, truth, coverage = drawing()
    ex = LineExtractor.from_pretrained(backend=args.backend)
    style = OutputStyle("color")
    model_rgba = np.asarray(render_gray(ex.predict_gray(rgb), style, rgb))
    ideal_rgba = np.asarray(render(ideal, style, rgb))
    result = {
        "command": " ".join(["python", *sys.argv]),
        "date": time.strftime("%Y-%m-%d"),
        "extractor": repr(ex),
        "model": score(model_rgba, rgb, truth, coverage),
        "ideal": score(ideal_rgba, rgb, truth, coverage),
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
