"""Golden output of the synthesizer: a fixed seed must give the same pairs for one ``SYNTH_VERSION``.

``SYNTH_VERSION`` promises that the same seed + config gives the same pixels
(saved datasets, the bench's synthetic test set and published numbers rely on
it). This test enforces the promise on three small pairs of the default config,
in two parts, so that it holds on any OpenCV / libjpeg build:

* the style decisions (pure NumPy random draws, the same on every machine) are
  hashed exactly;
* the pixels (drawn, blurred, resampled and JPEG-compressed by OpenCV and
  Pillow, whose builds may differ by a level here and there) are compared as
  8x8-block means, the clean image, the degraded image and the line art side by
  side, against ``golden/synth-VERSION.png`` with a tolerance of a few levels
  (``TOLERANCE``). Build differences move a block mean by less than one level
  (up to three after the JPEG step); a real change in the generator (a line
  1 px wider, a fill a few levels lighter) moves the blocks it touches by more.

If you changed the synthesizer's output on purpose: bump ``SYNTH_VERSION`` in
``senga/data/synth/generator.py``, add the new version's style hash to
``STYLE_SHA256`` below and write its block means with
``python tests/data/test_synth_golden.py``, in the same commit. Never replace
the golden values of an existing version: that would silently change what a
version number means.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from senga.data.synth import SYNTH_VERSION, SynthConfig, generate_pair_debug
from senga.io import ink_to_gray

#: sha256 of the style decisions of pairs 0, 1, 2 at 96x96 (default config), as sorted JSON with floats to 9
#: significant digits (a last-bit difference of a platform's exp / log cannot change it).
STYLE_SHA256: dict[str, str] = {
    "1.0": "43a26dde6c76daad2d31d5c0f9f7a6b06573bfbf7fb170bc9e78d0c08c68984c",
}
SEEDS = (0, 1, 2)
SIZE = 96
BLOCK = 8
PARTS = ("clean image", "degraded image", "line art")
#: Largest allowed difference of one block mean (8-bit levels) per part. Measured with +-1 level of noise
#: on a third of the composed pixels (a pessimistic build difference): up to 0.7 on the clean image and the
#: line art, 3.1 on the degraded one (a changed input can move a JPEG block's quantized DC by one step).
TOLERANCE = {"clean image": 2.0, "degraded image": 6.0, "line art": 2.0}
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def golden_path(version: str) -> Path:
    return GOLDEN_DIR / f"synth-{version}.png"


def _block_means(image: np.ndarray) -> np.ndarray:
    """``(H, W, C)`` uint8 -> ``(H / BLOCK, W / BLOCK, C)`` float64 means of the ``BLOCK x BLOCK`` blocks."""
    h, w, c = image.shape
    return image.reshape(h // BLOCK, BLOCK, w // BLOCK, BLOCK, c).astype(np.float64).mean(axis=(1, 3))


def _rounded(value: object) -> object:
    """``value`` with every float rounded to 9 significant digits (lists, tuples and dicts walked)."""
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    return value


def fingerprint() -> tuple[str, np.ndarray]:
    """``(style sha256, block means)``: one row of blocks per seed, ``[clean | degraded | line art]``
    side by side, ``(len(SEEDS) * SIZE / BLOCK, 3 * SIZE / BLOCK, 3)`` float64."""
    digest = hashlib.sha256()
    rows = []
    for seed in SEEDS:
        d = generate_pair_debug(seed, SIZE, SynthConfig())
        digest.update(json.dumps(_rounded(d["style"]), sort_keys=True).encode())
        gray = np.repeat(ink_to_gray(d["ink"])[..., None], 3, axis=2)
        rows.append(
            np.concatenate([_block_means(d["rgb_clean"]), _block_means(d["rgb"]), _block_means(gray)], axis=1)
        )
    return digest.hexdigest(), np.concatenate(rows, axis=0)


def mismatch(means: np.ndarray, golden: np.ndarray, parts: tuple[str, ...] = PARTS) -> str | None:
    """``None`` when every block mean is within its part's ``TOLERANCE`` of the golden one, else what differs.

    ``means`` and ``golden`` hold the ``parts`` side by side, ``SIZE / BLOCK`` columns each."""
    n = SIZE // BLOCK
    diff = np.abs(means - golden.astype(np.float64))
    over = diff - np.repeat([TOLERANCE[p] for p in parts], n)[None, :, None]
    if not (over > 0).any():
        return None
    y, x, _ = np.unravel_index(int(over.argmax()), over.shape)
    part = parts[x // n]
    return (
        f"{int((over > 0).any(axis=2).sum())} of {diff.shape[0] * diff.shape[1]} blocks differ by more than "
        f"the tolerance (worst: {diff[y, x].max():.1f} levels, over {TOLERANCE[part]}, in the {part} "
        f"of seed {SEEDS[y // n]})"
    )


def test_fixed_seed_output_matches_the_golden_values_of_this_synth_version() -> None:
    style_sha, means = fingerprint()
    path = golden_path(SYNTH_VERSION)
    assert STYLE_SHA256.get(SYNTH_VERSION) and path.is_file(), (
        f"SYNTH_VERSION {SYNTH_VERSION!r} has no golden values: add STYLE_SHA256[{SYNTH_VERSION!r}] = "
        f"{style_sha!r} and run `python tests/data/test_synth_golden.py` to write {path.name} "
        "(after checking the new pixels are intended)"
    )
    with Image.open(path) as im:
        golden = np.asarray(im.convert("RGB"))
    problems = []
    if style_sha != STYLE_SHA256[SYNTH_VERSION]:
        problems.append(f"the style decisions changed (sha256 {style_sha})")
    if (why := mismatch(means, golden)) is not None:
        problems.append(f"the pixels changed: {why}")
    assert not problems, (
        f"the synthesizer's output changed but SYNTH_VERSION is still {SYNTH_VERSION!r}: "
        + "; ".join(problems)
        + ". Bump SYNTH_VERSION and add its golden values (see this file's docstring)"
    )


def test_the_comparison_ignores_build_noise_and_sees_a_one_pixel_change() -> None:
    """What the tolerance lets through: +-1 level on a third of the pixels, not lines 1 px wider or a
    clean image 4 levels darker."""
    rng = np.random.default_rng(0)
    d = generate_pair_debug(SEEDS[1], SIZE, SynthConfig())
    clean = d["rgb_clean"].astype(int)
    gray = np.repeat(ink_to_gray(d["ink"])[..., None], 3, axis=2).astype(int)

    def means(clean: np.ndarray, gray: np.ndarray) -> np.ndarray:  # the clean image and line art parts only
        return np.concatenate(
            [_block_means(clean.astype(np.uint8)), _block_means(gray.astype(np.uint8))], axis=1
        )

    parts = ("clean image", "line art")
    golden = np.rint(means(clean, gray)).astype(np.uint8)
    both = np.concatenate([clean, gray], axis=1)
    noisy = np.clip(both + rng.integers(-1, 2, both.shape) * (rng.random(both.shape) < 0.33), 0, 255)
    assert mismatch(means(noisy[:, :SIZE], noisy[:, SIZE:]), golden, parts) is None
    thicker = np.minimum(gray, np.roll(gray, 1, axis=1))  # every line one pixel wider
    assert mismatch(means(clean, thicker), golden, parts) is not None
    darker = np.clip(clean - 4, 0, 255)
    assert mismatch(means(darker, gray), golden, parts) is not None


def write_golden() -> None:
    """Write ``golden/synth-SYNTH_VERSION.png`` (refuses to replace an existing version's values)."""
    path = golden_path(SYNTH_VERSION)
    if path.exists():
        sys.exit(f"{path}: exists; the golden values of a version never change (bump SYNTH_VERSION)")
    style_sha, means = fingerprint()
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.clip(np.rint(means), 0, 255).astype(np.uint8)).save(path)
    print(f"wrote {path}; STYLE_SHA256[{SYNTH_VERSION!r}] = {style_sha!r}")


if __name__ == "__main__":
    write_golden()
