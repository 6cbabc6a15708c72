"""Command-line flags that make ``senga train`` run a tiny model in about a second on a CPU."""

from __future__ import annotations

#: 32 px crops, batches of 2, no loader workers, on the CPU.
TINY_TRAIN_FLAGS: tuple[str, ...] = ("--crop", "32", "--batch", "2", "--workers", "0", "--device", "cpu")
