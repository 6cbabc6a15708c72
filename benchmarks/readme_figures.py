"""Make the README's before/after picture from the bundled example.

    python benchmarks/readme_figures.py [--model default|DIR]

Writes docs/images/example.png: examples/illustration.png | senga extract with
the model | examples/illustration_truth.png (the exact line art), each scaled
to 400 px wide, and prints the exact metrics of the extraction.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

from senga.extract import LineExtractor
from senga.io import gray_to_ink, read_ink, read_rgb
from senga.metrics import scores

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="default")
    ap.add_argument("--width", type=int, default=400)
    args = ap.parse_args()
    extractor = LineExtractor.from_pretrained(None if args.model == "default" else args.model, device="cpu")
    rgb = read_rgb(ROOT / "examples" / "illustration.png")
    truth = read_ink(ROOT / "examples" / "illustration_truth.png")
    lines = extractor(rgb)
    s = scores(gray_to_ink(np.asarray(lines)), truth)
    print(f"example: P {s['P']:.3f} R {s['R']:.3f} F1 {s['F1']:.3f} RMSE {s['RMSE']:.3f}")
    panels = [
        Image.fromarray(rgb),
        lines.convert("RGB"),
        Image.open(ROOT / "examples" / "illustration_truth.png").convert("RGB"),
    ]
    w = args.width
    h = round(rgb.shape[0] * w / rgb.shape[1])
    sheet = Image.new("RGB", (3 * w + 4 * 6, h + 12), "white")
    for i, p in enumerate(panels):
        sheet.paste(p.resize((w, h), Image.Resampling.LANCZOS), (6 + i * (w + 6), 6))
    out = ROOT / "docs" / "images" / "example.png"
    sheet.save(out, optimize=True)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
