"""Golden pixels of the synthesizer: a fixed seed must give the same pixels for one ``SYNTH_VERSION``.

``SYNTH_VERSION`` promises that the same seed + config gives the same pixels
(saved datasets, the bench's synthetic test set and published numbers rely on
it). This test enforces the promise: it hashes three small pairs of the
default config as the 8-bit files ``senga synth`` writes.

If you changed the synthesizer's pixels on purpose: bump ``SYNTH_VERSION`` in
``senga/data/synth/generator.py`` AND add the new version's hash to
``GOLDEN`` below, in the same commit. Never update the hash of an existing
version: that would silently change what a version number means.
"""

from __future__ import annotations

import hashlib

from senga.data.synth import SYNTH_VERSION, SynthConfig, generate_pair
from senga.io import ink_to_gray

#: sha256 of pairs 0, 1, 2 at 96x96 (default config): color bytes then line bytes, per pair.
GOLDEN: dict[str, str] = {
    "1.0": "9a9dfb948c89454725fa40222646351adb7ad6178e5678d098f90a513b003913",
}
SEEDS = (0, 1, 2)
SIZE = 96


def pixel_hash() -> str:
    digest = hashlib.sha256()
    for seed in SEEDS:
        rgb, ink = generate_pair(seed, SIZE, SynthConfig())
        digest.update(rgb.tobytes())
        digest.update(ink_to_gray(ink).tobytes())
    return digest.hexdigest()


def test_fixed_seed_pixels_match_the_golden_hash_of_this_synth_version() -> None:
    assert SYNTH_VERSION in GOLDEN, (
        f"SYNTH_VERSION {SYNTH_VERSION!r} has no golden hash: add GOLDEN[{SYNTH_VERSION!r}] = {pixel_hash()!r} "
        "(after checking the new pixels are intended)"
    )
    got = pixel_hash()
    assert got == GOLDEN[SYNTH_VERSION], (
        f"the synthesizer's pixels changed but SYNTH_VERSION is still {SYNTH_VERSION!r}: bump SYNTH_VERSION "
        f"and add its hash {got!r} to GOLDEN (the hash must change together with a SYNTH_VERSION bump)"
    )
