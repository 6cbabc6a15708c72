"""Score a folder of predicted line images against a folder of ground truth.

Two files (``evaluate_folders(pred.png, gt.png)``) are scored as one pair,
named after the ground truth. Folders are paired by name: the path relative
to its folder without the extension (``gt/sub/001.png`` pairs with ``pred/sub/001.jpg``). Every
ground-truth image needs a prediction; predictions without ground truth are
ignored and listed in :attr:`EvalReport.unmatched`. Both sides are read as
8-bit luminance, ``ink = 1 - L/255`` (alpha composited on white, see
:func:`senga.io.read_ink`), so ``[H > 0]`` means "pixel not pure white".

With ``resize=True`` a prediction whose size differs from its ground truth is
resampled to the ground-truth size with bilinear filtering of its 8-bit
luminance (as if it had been saved at that size); without it, a size mismatch
is an error.
"""

from __future__ import annotations

import csv
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from senga.io import ImageError, atomic_write_path, gray_to_ink, list_images, read_gray, read_ink
from senga.metrics.grayscale import DEFAULT_EPS, SCORE_KEYS, mean_scores, scores

#: Extensions paired by :func:`evaluate_folders` (case-insensitive).
EVAL_EXTENSIONS: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")


@dataclass(frozen=True)
class ImageScore:
    """Exact scores (eqs. 4-6, RMSE) of one prediction."""

    name: str  #: relative path without extension, ``/``-separated
    P: float
    R: float
    F1: float
    RMSE: float


@dataclass
class EvalReport:
    """Per-image scores and their means (the data-set score)."""

    images: list[ImageScore]
    mean: dict[str, float]  #: keys P, R, F1, RMSE and n (number of images)
    unmatched: list[str] = field(default_factory=list)  #: predictions with no ground truth

    def to_dict(self) -> dict[str, Any]:
        """``{"mean": {"P", "R", "F1", "RMSE", "n"}, "images": [{"name", "P", "R", "F1", "RMSE"}]}``."""
        return {"mean": dict(self.mean), "images": [asdict(s) for s in self.images]}

    def write_csv(self, path: str | os.PathLike[str]) -> None:
        """Write one row per image (``name,P,R,F1,RMSE``), atomically (check ``path`` with :func:`input_files`)."""
        with atomic_write_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(("name", *SCORE_KEYS))
            for s in self.images:
                writer.writerow((s.name, *(repr(getattr(s, k)) for k in SCORE_KEYS)))


def _index(folder: Path, role: str) -> dict[str, Path]:
    """``{name: file}`` for the images under ``folder``; duplicate names are an error."""
    if folder.is_file():
        raise ValueError(
            f"{folder}: is a file; compare two folders (PRED_DIR GT_DIR) or two files, not a file and a folder"
        )
    if not folder.is_dir():
        raise ValueError(f"{folder}: no such folder ({role} images)")
    found: dict[str, Path] = {}
    for path in list_images(folder):
        if path.suffix.lower() not in EVAL_EXTENSIONS:
            continue
        name = path.relative_to(folder).with_suffix("").as_posix()
        if name in found:
            raise ValueError(
                f"{folder}: two {role} images named '{name}' ({found[name].name}, {path.name}); keep one"
            )
        found[name] = path
    return found


def _read_prediction(pred_path: Path, gt_path: Path, size: tuple[int, int], resize: bool) -> np.ndarray:
    """Prediction as ``(H, W) float32`` ink of ground-truth ``size`` = (H, W)."""
    gray = read_gray(pred_path)
    if gray.shape == size:
        return gray_to_ink(gray)
    (h, w), (gh, gw) = gray.shape, size
    if not resize:
        raise ImageError(
            pred_path,
            f"size {w}x{h} differs from ground truth {gt_path} ({gw}x{gh}); "
            "resample with resize=True (senga eval --resize)",
        )
    resized = Image.fromarray(gray, mode="L").resize((gw, gh), Image.Resampling.BILINEAR)
    return gray_to_ink(np.asarray(resized, dtype=np.uint8))


def input_files(pred: str | os.PathLike[str], gt: str | os.PathLike[str]) -> list[Path]:
    """Every file :func:`evaluate_folders` may read for ``pred`` and ``gt`` (so no output replaces one)."""
    found: list[Path] = []
    for path in (Path(pred), Path(gt)):
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(p for p in list_images(path) if p.suffix.lower() in EVAL_EXTENSIONS)
    return found


def evaluate_folders(
    pred_dir: str | os.PathLike[str],
    gt_dir: str | os.PathLike[str],
    resize: bool = False,
    eps: float = DEFAULT_EPS,
) -> EvalReport:
    """Exact P, R, F1 (eqs. 4-6) and RMSE of every ground-truth image's prediction.

    Args:
        pred_dir: folder of predicted line images (black lines on white), or one file.
        gt_dir: folder of ground-truth line images; defines the image set. One
            file when ``pred_dir`` is one file.
        resize: resample predictions to the ground-truth size (bilinear)
            instead of failing on a size mismatch.
        eps: the paper's footnote epsilon.

    Returns:
        :class:`EvalReport`, images sorted by name; ``mean`` is the mean of
        per-image scores.

    Raises:
        ValueError: a folder is missing or has no images, two files share a
            name, or predictions are missing (the message names the files).
        ImageError: an unreadable image or a size mismatch (names the file).
    """
    pred_dir, gt_dir = Path(pred_dir), Path(gt_dir)
    if pred_dir.is_file() and gt_dir.is_file():
        gt = read_ink(gt_dir)
        s = scores(_read_prediction(pred_dir, gt_dir, gt.shape, resize), gt, eps=eps)
        one = ImageScore(name=gt_dir.stem, **{k: float(s[k]) for k in SCORE_KEYS})
        return EvalReport(images=[one], mean=mean_scores([asdict(one)]))
    gts = _index(gt_dir, "ground-truth")
    if not gts:
        raise ValueError(f"{gt_dir}: no ground-truth images ({', '.join(EVAL_EXTENSIONS)})")
    preds = _index(pred_dir, "prediction")
    missing = [name for name in sorted(gts) if name not in preds]
    if missing:
        more = (
            f" (and {len(missing) - 1} more: {', '.join(missing[1:6])}{', ...' if len(missing) > 6 else ''})"
        )
        raise ValueError(
            f"{gts[missing[0]]}: no prediction '{missing[0]}.*' in {pred_dir}"
            + (more if len(missing) > 1 else "")
        )
    images = []
    for name in sorted(gts):
        gt = read_ink(gts[name])
        pred = _read_prediction(preds[name], gts[name], gt.shape, resize)
        s = scores(pred, gt, eps=eps)
        images.append(ImageScore(name=name, **{k: float(s[k]) for k in SCORE_KEYS}))
    mean = mean_scores(asdict(s) for s in images)
    unmatched = sorted(set(preds) - set(gts))
    return EvalReport(images=images, mean=mean, unmatched=unmatched)
