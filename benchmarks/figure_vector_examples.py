"""Draw docs/images/vector_examples.png: vector pairs (color | line) from SVG drawings made here.

Usage::

    python benchmarks/figure_vector_examples.py [--out docs/images/vector_examples.png] [--seed 5]

The repository holds no third-party art, so the figure is not made
from Open Clip Art or DiceBear: this script writes four small SVG characters
of its own (a head, hair, eyes, a body: flat fills with dark stroked
outlines, some outlines hidden under fills, as in clip art), then runs them
through ``senga vector``'s pipeline (two-render line alpha, anime-style
coloring) exactly as the real sources are.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

from senga.data.synth.dataset import contact_sheet
from senga.data.vector import write_vector_pairs
from senga.io import atomic_write_path, read_ink, read_rgb

HAIR = ["#2b3a8c", "#8c2b4f", "#e0c060", "#5a3a20", "#3a7a5a"]
SKIN = ["#f6dcc8", "#f0d0b0", "#e8c4a8"]
CLOTH = ["#c84040", "#4060c8", "#40a070", "#a060c0", "#e09030"]


def character_svg(seed: int) -> str:
    """One 256x256 SVG character: fills with dark outlines (strokes), one outline hidden under the hair."""
    rng = random.Random(seed)
    hair, skin, cloth = rng.choice(HAIR), rng.choice(SKIN), rng.choice(CLOTH)
    ink = "#1a1a1a"
    w = rng.uniform(2.0, 3.5)
    eye_y, eye_dx = rng.uniform(120, 130), rng.uniform(22, 28)
    fringe = " ".join(
        f"L {78 + 20 * i + rng.uniform(-4, 4):.1f} {100 + rng.uniform(-8, 8):.1f}" for i in range(6)
    )
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <path d="M 60 256 Q 70 190 128 185 Q 186 190 196 256 Z" fill="{cloth}" stroke="{ink}" stroke-width="{w:.2f}"/>
  <path d="M 78 140 Q 60 60 128 48 Q 196 60 178 140 L 186 200 L 70 200 Z" fill="{hair}" stroke="{ink}"
        stroke-width="{w:.2f}"/>
  <ellipse cx="128" cy="125" rx="46" ry="54" fill="{skin}" stroke="{ink}" stroke-width="{w:.2f}"/>
  <path d="M 76 110 Q 80 60 128 58 Q 176 60 180 110 {fringe} Z" fill="{hair}" stroke="{ink}" stroke-width="{w:.2f}"/>
  <ellipse cx="{128 - eye_dx:.1f}" cy="{eye_y:.1f}" rx="7" ry="10" fill="{ink}"/>
  <ellipse cx="{128 + eye_dx:.1f}" cy="{eye_y:.1f}" rx="7" ry="10" fill="{ink}"/>
  <circle cx="{128 - eye_dx + 2:.1f}" cy="{eye_y - 4:.1f}" r="2.5" fill="#ffffff"/>
  <circle cx="{128 + eye_dx + 2:.1f}" cy="{eye_y - 4:.1f}" r="2.5" fill="#ffffff"/>
  <path d="M 116 152 Q 128 {158 + rng.uniform(0, 6):.1f} 140 152" fill="none" stroke="{ink}" stroke-width="{w * 0.7:.2f}"/>
  <path d="M 100 200 L 128 225 L 156 200" fill="none" stroke="{ink}" stroke-width="{w:.2f}"/>
</svg>
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("docs/images/vector_examples.png"))
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args(argv)
    pairs = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "svg"
        src.mkdir()
        for i in range(4):
            (src / f"character_{i}.svg").write_text(character_svg(args.seed * 100 + i), encoding="utf-8")
        out = Path(tmp) / "pairs"
        report = write_vector_pairs([src], out, n=4, seed=args.seed, size=512)
        for name, source in report.written:
            pairs.append((read_rgb(out / "color" / f"{name}.png"), read_ink(out / "line" / f"{name}.png")))
            print(f"{name}: {source}")
    if not pairs:
        raise SystemExit("no pair was written (every drawing was screened out)")
    with atomic_write_path(args.out) as tmp_png:
        contact_sheet(pairs, columns=2, cell=300).save(tmp_png, format="PNG")
    print(f"wrote {args.out} ({len(pairs)} pairs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
