"""Draw docs/images/vector_examples.png: vector pairs (color | line) from public-domain / CC0 sources only.

Usage (after ``bash scripts/fetch_vector_sources.sh``)::

    python benchmarks/figure_vector_examples.py [--src data/vector-src] [--out docs/images/vector_examples.png]

Takes the first 2 usable Open Clip Art drawings (public domain) and the first
2 DiceBear "Lorelei" avatars (CC0 1.0) in ``senga vector``'s seeded order
(seed 5, long side 512) and lays them out as color | line pairs. The CC BY
styles (adventurer, micah) are never used here, so the figure needs no
attribution beyond docs/data.md's credits.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from senga.data.synth.dataset import contact_sheet
from senga.data.vector import write_vector_pairs
from senga.io import atomic_write_path, read_ink, read_rgb


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=Path("data/vector-src"))
    ap.add_argument("--out", type=Path, default=Path("docs/images/vector_examples.png"))
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args(argv)
    groups = [args.src / "openclipart", args.src / "dicebear" / "lorelei"]
    for g in groups:
        if not g.is_dir():
            print(f"{g}: missing; run scripts/fetch_vector_sources.sh first", file=sys.stderr)
            return 1
    pairs = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, g in enumerate(groups):
            out = Path(tmp) / str(k)
            report = write_vector_pairs([g], out, n=2, seed=args.seed, size=512)
            for name, source in report.written:
                pairs.append((read_rgb(out / "color" / f"{name}.png"), read_ink(out / "line" / f"{name}.png")))
                print(f"{name}: {source}")
    with atomic_write_path(args.out) as tmp_png:
        contact_sheet(pairs, columns=2, cell=300).save(tmp_png, format="PNG")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
