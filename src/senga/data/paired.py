"""Paired folders of real (or saved synthetic) data: ``ROOT/color/NAME.*`` + ``ROOT/line/NAME.*``.

This is the layout ``senga synth`` writes and ``real-dev`` uses. Any image
format in :data:`senga.io.IMAGE_EXTENSIONS` is accepted on either side; the
color image is read with :func:`senga.io.read_rgb` (alpha composited on white,
EXIF orientation applied) and the line image with :func:`senga.io.read_ink`
(``ink = 1 - L/255``, 1 = black line, 0 = paper).

The whole folder is validated when a :class:`PairedFolder` is built (that is,
before training starts): every problem is collected and reported at once in a
single :class:`DatasetError`; nothing is skipped silently.

Example::

    ds = PairedFolder("data/mine")  # raises DatasetError listing every problem
    rgb, ink, name = ds[0]  # (H,W,3) uint8, (H,W) float32, "NAME"
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import numpy as np

from senga.errors import SengaError
from senga.io import DEFAULT_MAX_PIXELS, IMAGE_EXTENSIONS, ImageError, open_image, read_ink, read_rgb

#: Sub-folder names of a paired dataset.
COLOR_DIR = "color"
LINE_DIR = "line"

#: Files ignored without a report (operating-system litter), besides hidden files.
_IGNORED_FILES = frozenset({"thumbs.db", "desktop.ini"})

#: A :class:`DatasetError` message lists this many problems, then a count of the rest.
MAX_LISTED_PROBLEMS = 20

#: A pair of arrays, ``(rgb (H,W,3) uint8, ink (H,W) float32)``: what data sources draw.
ArrayPair = tuple[np.ndarray, np.ndarray]
#: A named pair ``(rgb, ink, name)``: what :class:`PairedFolder` and validation / test sets hold.
NamedPair = tuple[np.ndarray, np.ndarray, str]


class DatasetError(SengaError):
    """A paired folder cannot be used as a dataset.

    ``str(err)`` is a one-line summary ``"ROOT: N problems in paired folder"``
    followed by one line per problem (``"  color/NAME.png: no line partner ..."``),
    at most :data:`MAX_LISTED_PROBLEMS` of them and then ``"  ... and K more problems"``.
    ``err.problems`` holds every problem line without indentation; ``err.root`` (=
    ``err.path``) the folder.
    """

    def __init__(self, root: str | os.PathLike[str], problems: Sequence[str]) -> None:
        self.root = str(root)
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in paired folder"
        listed = [f"  {p}" for p in self.problems[:MAX_LISTED_PROBLEMS]]
        if n > MAX_LISTED_PROBLEMS:
            listed.append(f"  ... and {n - MAX_LISTED_PROBLEMS} more problems")
        super().__init__(root, "\n".join([head, *listed]))

    def __reduce__(self) -> tuple[type[DatasetError], tuple[object, ...]]:
        # rebuilt from (root, problems), not from the formatted message
        return (type(self), (self.root, self.problems))


@dataclass(frozen=True)
class PairFiles:
    """One validated pair of files: the stem ``name``, both files, and the common size in pixels."""

    name: str
    color: Path
    line: Path
    width: int
    height: int


def _list_side(folder: Path, side: str, problems: list[str], duplicates: set[str]) -> dict[str, Path]:
    """Image files of one side by stem; records duplicates and non-image files in ``problems``.

    Duplicated stems are added to ``duplicates`` and left out of the result.
    """
    by_stem: dict[str, list[Path]] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name.lower() in _IGNORED_FILES or path.is_dir():
            continue
        if path.suffix.lower() not in IMAGE_EXTENSIONS:
            problems.append(
                f"{side}/{path.name}: not an image file extension (supported: {', '.join(IMAGE_EXTENSIONS)})"
            )
            continue
        by_stem.setdefault(path.stem, []).append(path)
    files: dict[str, Path] = {}
    for stem, paths in by_stem.items():
        if len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            problems.append(f"{side}/{stem}: duplicate name ({names}); keep one file per name")
            duplicates.add(stem)
        else:
            files[stem] = paths[0]
    return files


def _image_size(path: Path, max_pixels: int | None) -> tuple[int, int] | ImageError:
    """``(width, height)`` after EXIF orientation, or the :class:`ImageError` opening raised."""
    try:
        with open_image(path, max_pixels=max_pixels) as img:
            return img.size
    except ImageError as err:
        return err


def validate_pairs(
    root: str | os.PathLike[str],
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    workers: int | None = None,
) -> list[PairFiles]:
    """Check a paired folder and return its pairs, sorted by name.

    Every image on both sides is opened (fully decoded) with
    :func:`senga.io.open_image`. Problems found, all reported together:
    missing ``root``, ``color/`` or ``line/`` folder; a color image without a
    line partner or the reverse; two files with the same stem on one side
    (``NAME.png`` and ``NAME.jpg``); a non-image file; an unreadable image;
    color and line sizes that differ; no pairs at all.

    Args:
        root: the dataset folder holding ``color/`` and ``line/``.
        max_pixels: per-image pixel limit passed to :func:`senga.io.open_image`.
        workers: threads used to open images (default: up to 8).

    Returns:
        The pairs, sorted by name.

    Raises:
        DatasetError: listing every problem, one per line.
    """
    root = Path(root)
    if not root.is_dir():
        what = "is a file, not a folder" if root.exists() else "no such folder"
        raise DatasetError(root, [f"{root}: {what} (expected {COLOR_DIR}/ and {LINE_DIR}/ inside)"])
    problems: list[str] = []
    sides: dict[str, dict[str, Path]] = {}
    duplicates: set[str] = set()  # already reported; not also "no partner"
    for side in (COLOR_DIR, LINE_DIR):
        folder = root / side
        if not folder.is_dir():
            problems.append(f"{side}/: missing folder (expected {root / side / 'NAME.png'})")
            sides[side] = {}
        else:
            sides[side] = _list_side(folder, side, problems, duplicates)
    colors, lines = sides[COLOR_DIR], sides[LINE_DIR]

    for stem in sorted(colors.keys() - lines.keys() - duplicates):
        problems.append(f"{COLOR_DIR}/{colors[stem].name}: no line partner (expected {LINE_DIR}/{stem}.*)")
    for stem in sorted(lines.keys() - colors.keys() - duplicates):
        problems.append(f"{LINE_DIR}/{lines[stem].name}: no color partner (expected {COLOR_DIR}/{stem}.*)")

    stems = sorted(colors.keys() & lines.keys())
    paths = [p for stem in stems for p in (colors[stem], lines[stem])]
    n_threads = workers if workers is not None else min(8, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=max(1, n_threads)) as pool:
        sizes = dict(zip(paths, pool.map(lambda p: _image_size(p, max_pixels), paths)))

    pairs: list[PairFiles] = []
    for stem in stems:
        color, line = colors[stem], lines[stem]
        color_size, line_size = sizes[color], sizes[line]
        bad = False
        for side, path, size in ((COLOR_DIR, color, color_size), (LINE_DIR, line, line_size)):
            if isinstance(size, ImageError):
                problems.append(f"{side}/{path.name}: {size.problem}")
                bad = True
        if bad:
            continue
        assert not isinstance(color_size, ImageError) and not isinstance(line_size, ImageError)
        if color_size != line_size:
            problems.append(
                f"{stem}: size mismatch: {COLOR_DIR}/{color.name} is {color_size[0]}x{color_size[1]}, "
                f"{LINE_DIR}/{line.name} is {line_size[0]}x{line_size[1]} (width x height)"
            )
            continue
        pairs.append(PairFiles(stem, color, line, color_size[0], color_size[1]))

    if not problems and not pairs:
        problems.append(f"no image pairs found in {COLOR_DIR}/ and {LINE_DIR}/")
    if problems:
        raise DatasetError(root, problems)
    return pairs


class PairedFolder(Sequence[NamedPair]):
    """A validated paired folder: ``ds[i] -> (rgb (H,W,3) uint8, ink (H,W) float32, name)``.

    Args:
        root: folder holding ``color/`` and ``line/``.
        preload: decode every pair once at construction and keep the arrays in
            memory (for small sets read many times); otherwise files are read
            on each access.
        max_pixels: per-image pixel limit (see :func:`senga.io.open_image`).

    Raises:
        DatasetError: at construction, listing every problem (see :func:`validate_pairs`).
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        preload: bool = False,
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
    ) -> None:
        self.root = Path(root)
        self.max_pixels = max_pixels
        self.pairs = validate_pairs(self.root, max_pixels=max_pixels)
        self._cache: list[ArrayPair] | None = None
        if preload:
            self._cache = [self._read(p) for p in self.pairs]

    @property
    def names(self) -> list[str]:
        """Pair names (file stems), in index order."""
        return [p.name for p in self.pairs]

    def __len__(self) -> int:
        return len(self.pairs)

    def _read(self, pair: PairFiles) -> ArrayPair:
        rgb = read_rgb(pair.color, max_pixels=self.max_pixels)
        ink = read_ink(pair.line, max_pixels=self.max_pixels)
        if rgb.shape[:2] != ink.shape:  # a file changed after validation
            raise DatasetError(
                self.root,
                [
                    f"{pair.name}: size mismatch: color is {rgb.shape[1]}x{rgb.shape[0]}, "
                    f"line is {ink.shape[1]}x{ink.shape[0]} (width x height)"
                ],
            )
        return rgb, ink

    @overload
    def __getitem__(self, index: int) -> NamedPair: ...

    @overload
    def __getitem__(self, index: slice) -> list[NamedPair]: ...

    def __getitem__(self, index: int | slice) -> NamedPair | list[NamedPair]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        pair = self.pairs[index]
        rgb, ink = self._cache[index] if self._cache is not None else self._read(pair)
        return rgb, ink, pair.name

    def __repr__(self) -> str:
        return f"PairedFolder({str(self.root)!r}, {len(self)} pairs)"
