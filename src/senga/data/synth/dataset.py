"""Writing synthetic pairs to folders, and contact sheets for people to look at.

Layout (the one :class:`senga.data.paired.PairedFolder` reads)::

    OUT_DIR/color/synth_000000.png   RGB
    OUT_DIR/line/synth_000000.png    grayscale, black lines on white
    OUT_DIR/meta.json                seed, versions, size, n, config

Pair ``i`` is ``SynthStream(seed, size, config).pair(i)``; with the same seed
and ``SYNTH_VERSION`` the files are byte-identical, however many worker
processes write them.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from senga.data.synth.config import SynthConfig
from senga.data.synth.generator import SYNTH_VERSION, Size, SynthStream, parse_size


def pair_name(index: int, n: int) -> str:
    """``synth_000123``: zero-padded to 6 digits (more when ``n`` needs them)."""
    digits = max(6, len(str(max(n - 1, 0))))
    return f"synth_{index:0{digits}d}"


def _write_one(args: tuple[str, int, int, tuple[int, int], SynthConfig, int]) -> int:
    from senga.io import write_ink, write_rgb

    out, i, seed, size, cfg, n = args
    rgb, ink = SynthStream(seed, size, cfg).pair(i)
    name = pair_name(i, n)
    write_rgb(Path(out) / "color" / f"{name}.png", rgb)
    write_ink(Path(out) / "line" / f"{name}.png", ink)
    return i


def write_dataset(
    out_dir: str | os.PathLike[str],
    n: int,
    seed: int,
    size: Size = 512,
    config: SynthConfig | None = None,
    sheet: str | os.PathLike[str] | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write ``n`` pairs and ``meta.json`` to ``out_dir`` (see module docstring).

    Args:
        out_dir: created if missing; existing files with the same names are replaced.
        n: number of pairs (>= 1).
        seed: stream seed (>= 0).
        size: side in px or ``(height, width)``.
        config: generator knobs.
        sheet: also write a contact sheet of the first (up to 16) pairs to this PNG.
        workers: processes generating pairs (same files for any value).
        progress: called with the number of pairs done so far.
    """
    from senga import __version__
    from senga.io import atomic_write_path

    if int(n) != n or n < 1:
        raise ValueError(f"n: must be a positive integer, got {n!r}")
    if int(workers) != workers or workers < 1:
        raise ValueError(f"workers: must be a positive integer, got {workers!r}")
    cfg = config or SynthConfig()
    hw = parse_size(size)
    SynthStream(seed, hw, cfg)  # validates seed
    out = Path(out_dir)
    (out / "color").mkdir(parents=True, exist_ok=True)
    (out / "line").mkdir(parents=True, exist_ok=True)
    jobs = [(str(out), i, int(seed), hw, cfg, int(n)) for i in range(n)]
    done = 0
    if workers == 1:
        for job in jobs:
            _write_one(job)
            done += 1
            if progress:
                progress(done)
    else:
        ctx = mp.get_context("spawn")
        with ctx.Pool(processes=min(workers, n)) as pool:
            for _ in pool.imap_unordered(_write_one, jobs, chunksize=1):
                done += 1
                if progress:
                    progress(done)
    meta = {
        "generator": "senga.data.synth",
        "synth_version": SYNTH_VERSION,
        "senga_version": __version__,
        "seed": int(seed),
        "n": int(n),
        "size": [hw[0], hw[1]],
        "naming": f"{pair_name(0, n)} .. {pair_name(n - 1, n)} = SynthStream(seed, size, config).pair(i)",
        "config": cfg.to_dict(),
    }
    with atomic_write_path(out / "meta.json") as tmp:
        Path(tmp).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if sheet is not None:
        stream = SynthStream(seed, hw, cfg)
        sheet_img = contact_sheet(stream.pair(i) for i in range(min(n, 16)))
        with atomic_write_path(sheet) as tmp:
            sheet_img.save(tmp, format="PNG")


def contact_sheet(
    pairs: Iterable[tuple[np.ndarray, np.ndarray]], columns: int = 4, cell: int = 256
) -> Image.Image:
    """A grid of pairs, each shown as color | line art side by side.

    Args:
        pairs: ``(rgb (H, W, 3) uint8, ink (H, W) float)`` pairs.
        columns: pairs per row.
        cell: side of each image's square cell in px (images are fitted inside, aspect kept).

    Returns:
        An RGB Pillow image (light gray between cells).
    """
    from senga.io import ink_to_gray

    items = list(pairs)
    if not items:
        raise ValueError("contact_sheet: no pairs given")
    if columns < 1 or cell < 8:
        raise ValueError(f"contact_sheet: columns must be >= 1 and cell >= 8, got {columns}, {cell}")
    gap = 4
    rows = (len(items) + columns - 1) // columns
    sheet = Image.new(
        "RGB", (columns * (2 * cell + 3 * gap) + gap, rows * (cell + gap) + gap), (200, 200, 200)
    )
    draw = ImageDraw.Draw(sheet)
    for k, (rgb, ink) in enumerate(items):
        r, c = divmod(k, columns)
        x0 = gap + c * (2 * cell + 3 * gap)
        y0 = gap + r * (cell + gap)
        for j, img in enumerate(
            (
                Image.fromarray(np.asarray(rgb, dtype=np.uint8)),
                Image.fromarray(ink_to_gray(ink)).convert("RGB"),
            )
        ):
            img = img.copy()
            img.thumbnail((cell, cell), Image.Resampling.LANCZOS)
            sheet.paste(img, (x0 + j * (cell + gap), y0))
        draw.rectangle([x0 + cell, y0, x0 + cell + gap - 1, y0 + cell - 1], fill=(120, 120, 120))
    return sheet
