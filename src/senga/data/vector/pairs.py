"""Vector drawings -> screened, composited (color, line) pairs, and the paired-folder writer.

Layout written (the one :class:`senga.data.paired.PairedFolder` reads, so
training takes it with ``--data OUT:weight=W``)::

    OUT/color/NNNNN_GROUP_STEM.png   RGB, anime-style composite
    OUT/line/NNNNN_GROUP_STEM.png    grayscale, black lines on white (ink = line alpha)
    OUT/meta.json                    seed, size, counts, every pair's source file, rejections, failures

``GROUP`` is the SVG's parent folder name (``people``, ``lorelei``, ...).
Order and content are a pure function of the sorted list of SVG files, the
seed, the size and the settings: the same call gives byte-identical files,
whatever ``workers`` is. Files are visited in a seeded permutation; each file
is screened (:func:`screen`) and, if kept, composited with
``rng = default_rng([seed, pass, position])``; when every kept file has been
used once and more pairs are asked for, further passes reuse the kept files
with fresh compositing draws.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np
from scipy import ndimage

from senga.data.vector.composite import AnimeStyle, composite
from senga.data.vector.layers import LineLayers, line_layers
from senga.data.vector.svg import DEFAULT_DARK_THRESHOLD, SvgError, has_text, parse_svg

#: Bump when the output for a given (files, seed, settings) changes.
VECTOR_VERSION = 1

SVG_SUFFIXES = (".svg", ".svgz")


@dataclass(frozen=True)
class ScreenConfig:
    """What makes a drawing usable: real outlines around real color fills.

    Shares are of the *drawing* (pixels that are not blank paper).
    """

    min_drawing_share: float = 0.02  # of the canvas
    min_line_share: float = 0.02  # sum of line alpha / drawing pixels
    max_line_share: float = 0.45  # above: silhouettes, black-and-white art
    blob_width: float = 0.025  # dark shapes thicker than this (of the long side) are "blobs" ...
    max_blob_share: float = 0.4  # ... and may be at most this share of the line pixels
    min_color_share: float = 0.15  # non-white fill pixels / drawing pixels (no coloring pages)
    min_outline_cover: float = 0.6  # share of the drawing's silhouette edge that has a line beside it
    threshold: float = DEFAULT_DARK_THRESHOLD  # line paint brightness threshold
    screen_size: int = 384  # screening renders at this long side (cheap; thresholds are relative)


def screen(layers: LineLayers, cfg: ScreenConfig, size: int) -> str | None:
    """Why the drawing is not used (one short phrase), or ``None`` if it is kept."""
    alpha = layers.alpha
    # The drawing: everything not blank paper, with enclosed white areas (white fills) included.
    drawing = ndimage.binary_fill_holes((layers.drawn.min(axis=2) < 0.97) | (alpha > 0))
    n_drawing = int(drawing.sum())
    if n_drawing < cfg.min_drawing_share * alpha.size:
        return "blank or tiny drawing"
    line_share = float(alpha.sum()) / n_drawing
    if line_share < cfg.min_line_share:
        return "no real outlines (too few line pixels)"
    if line_share > cfg.max_line_share:
        return "mostly dark shapes (silhouette or black-and-white art)"
    solid = (alpha > 0.5).astype(np.uint8)
    k = max(3, int(round(cfg.blob_width * size)) | 1)
    blobs = cv2.morphologyEx(solid, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    if blobs.sum() > cfg.max_blob_share * max(1, int(solid.sum())):
        return "dark filled shapes, not outlines"
    colored = drawing & (alpha < 0.1) & (layers.base.min(axis=2) < 0.9)
    if colored.sum() < cfg.min_color_share * n_drawing:
        return "no color fills (line drawing only)"
    # Outlined art has a line along (nearly) all of its silhouette; painterly
    # drawings whose only dark paints are shading details do not.
    square = np.ones((3, 3), np.uint8)
    edge = drawing & ~cv2.erode(drawing.astype(np.uint8), square).astype(bool)
    reach = max(3, int(round(0.006 * size)) * 2 + 1)
    near = cv2.dilate((alpha > 0.3).astype(np.uint8), np.ones((reach, reach), np.uint8)).astype(bool)
    if edge.any() and (edge & near).sum() < cfg.min_outline_cover * edge.sum():
        return "silhouette not outlined"
    return None


@dataclass
class PairResult:
    """What one (file, pass, position) task gives: a pair, a rejection, or a failure."""

    path: str
    rgb: np.ndarray | None = None
    ink: np.ndarray | None = None
    rejected: str | None = None
    failed: str | None = None  # the one-line "PATH: problem"


def make_pair(
    path: str | os.PathLike[str],
    rng: np.random.Generator,
    size: int = 768,
    style: AnimeStyle | None = None,
    screen_cfg: ScreenConfig | None = None,
) -> PairResult:
    """Render, screen and composite one SVG file.

    Screening (:func:`screen`) runs on a small render (``screen_cfg.screen_size``),
    so rejected drawings cost little; kept ones are rendered again at ``size``.

    Returns a :class:`PairResult` with ``rgb (H, W, 3) uint8`` and
    ``ink (H, W) float32`` (the exact line alpha), or the reason it was
    rejected, or the one-line error naming the file.
    """
    cfg = screen_cfg or ScreenConfig()
    try:
        doc = parse_svg(path, threshold=cfg.threshold)
        if has_text(doc):
            return PairResult(str(path), rejected="contains text")
        if not doc.lines:
            return PairResult(str(path), rejected="no dark line elements")
        small = min(size, cfg.screen_size)
        reason = screen(line_layers(doc, small), cfg, small)
        if reason is not None:
            return PairResult(str(path), rejected=reason)
        layers = line_layers(doc, size)
    except SvgError as err:
        return PairResult(str(path), failed=str(err))
    return PairResult(str(path), rgb=composite(layers, rng, style), ink=layers.alpha)


def list_svgs(sources: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Every ``.svg`` / ``.svgz`` file given or under the given folders (recursive, hidden skipped), sorted.

    Broken symbolic links are skipped; links to files count as their target.

    Raises:
        ValueError: a source does not exist, or there is no SVG file at all.
    """
    found: set[Path] = set()
    for src in sources:
        p = Path(src)
        if not p.exists():
            raise ValueError(f"{p}: no such file or folder")
        if p.is_file():
            found.add(p)
            continue
        for f in p.rglob("*"):
            rel = f.relative_to(p).parts
            if f.suffix.lower() in SVG_SUFFIXES and f.is_file() and not any(s.startswith(".") for s in rel):
                # Symbolic links (Open Clip Art files listed in two categories) count once.
                found.add(f.resolve() if f.is_symlink() else f)
    if not found:
        raise ValueError(f"{', '.join(str(s) for s in sources)}: no .svg files found")
    return sorted(found, key=lambda q: q.as_posix())


def pair_name(k: int, path: Path) -> str:
    """``00012_people_girl_01``: counter, parent folder and stem, reduced to ``[A-Za-z0-9_-]``."""
    stem = path.name
    for suffix in SVG_SUFFIXES:
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    text = f"{path.parent.name}_{stem}"
    return f"{k:05d}_" + re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:80]


@dataclass
class VectorReport:
    """What :func:`write_vector_pairs` did."""

    written: list[tuple[str, str]] = field(default_factory=list)  # (pair name, source file)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    failed: list[str] = field(default_factory=list)  # "PATH: problem"
    files: int = 0

    def reasons(self) -> dict[str, int]:
        """Rejections counted by reason."""
        return dict(Counter(r for _, r in self.rejected).most_common())


_Task = tuple[str, int, int, int, int, AnimeStyle, ScreenConfig]


def _run_task(task: _Task) -> PairResult:
    path, seed, pass_, pos, size, style, cfg = task
    cv2.setNumThreads(1)
    return make_pair(path, np.random.default_rng([seed, pass_, pos]), size, style, cfg)


def write_vector_pairs(
    sources: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    n: int,
    seed: int = 0,
    size: int = 768,
    workers: int = 1,
    style: AnimeStyle | None = None,
    screen_cfg: ScreenConfig | None = None,
    progress: Callable[[int], None] | None = None,
) -> VectorReport:
    """Write up to ``n`` pairs from the SVG files under ``sources`` to ``out_dir`` (see module docstring).

    Bad files are recorded in ``report.failed`` (one line each, naming the
    file) and skipped; the batch goes on. Fewer than ``n`` pairs are written
    only when no file is usable. With ``workers > 1`` a process pool renders
    ahead of the writer and is stopped as soon as ``n`` pairs are written. ``progress(k)`` is called with the number of
    pairs written so far.
    """
    from senga.io import atomic_write_path, write_ink, write_rgb

    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    style = style or AnimeStyle()
    cfg = screen_cfg or ScreenConfig()
    files = list_svgs(sources)
    out = Path(out_dir)
    order = np.random.default_rng([seed, 0x5EC7]).permutation(len(files))
    report = VectorReport(files=len(files))
    kept: list[int] = []  # positions in ``order`` of the files kept in pass 0

    def consume(results: Iterator[PairResult], positions: Iterator[int]) -> None:
        for res, pos in zip(results, positions):
            if res.failed is not None:
                report.failed.append(res.failed)
            elif res.rejected is not None:
                report.rejected.append((res.path, res.rejected))
            else:
                assert res.rgb is not None and res.ink is not None
                if pos not in kept:
                    kept.append(pos)
                name = pair_name(len(report.written), Path(res.path))
                write_rgb(out / "color" / f"{name}.png", res.rgb)
                write_ink(out / "line" / f"{name}.png", res.ink)
                report.written.append((name, res.path))
                if progress is not None:
                    progress(len(report.written))
                if len(report.written) >= n:
                    return

    def task(pass_: int, pos: int) -> _Task:
        return (str(files[order[pos]]), seed, pass_, pos, size, style, cfg)

    # Pass 0 screens every file in order until n pairs; later passes reuse the
    # kept files (screening does not depend on the draw, so all of them pass again).
    first = [task(0, pos) for pos in range(len(files))]
    pool = None
    if workers > 1:
        ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn")
        pool = ctx.Pool(workers)
    try:

        def run(batch: list[_Task]) -> Iterator[PairResult]:
            if pool is None:
                return (_run_task(t) for t in batch)
            # imap returns results in task order: the output does not depend on ``workers``.
            return pool.imap(_run_task, batch, chunksize=1)

        consume(run(first), iter(range(len(files))))
        missing = n - len(report.written)
        if missing > 0 and kept:
            later = [(1 + k // len(kept), kept[k % len(kept)]) for k in range(missing)]
            consume(run([task(p, pos) for p, pos in later]), iter(pos for _, pos in later))
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()

    meta = {
        "vector_version": VECTOR_VERSION,
        "seed": seed,
        "size": size,
        "n_requested": n,
        "n_written": len(report.written),
        "svg_files": report.files,
        "style": asdict(style),
        "screen": asdict(cfg),
        "pairs": [{"name": name, "source": src} for name, src in report.written],
        "rejected": {
            "counts": report.reasons(),
            "files": [{"source": p, "reason": r} for p, r in report.rejected],
        },
        "failed": report.failed,
        "licences": "see SOURCES.md next to the fetched SVG files; CC BY 4.0 sources must be attributed",
    }
    out.mkdir(parents=True, exist_ok=True)
    with atomic_write_path(out / "meta.json") as tmp:
        tmp.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return report
