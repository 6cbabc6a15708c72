"""Checks a training run must pass before it allocates anything or touches its run folder.

``senga train --crop 100000`` used to die in a ``MemoryError`` deep in the data
loader after the run folder had been created. :func:`check_memory` refuses,
up front, sizes whose first training batch alone cannot fit in this
machine's memory, with a message that says what to change.
"""

from __future__ import annotations

import os

#: Bytes per pixel of one training sample in a batch: float32 RGB input (3)
#: and float32 ink target (1). A strict lower bound of what a step needs
#: (the network's activations come on top).
BATCH_BYTES_PER_PIXEL = (3 + 1) * 4


def physical_memory_bytes() -> int | None:
    """Total physical memory of this machine, or None where it cannot be read."""
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None
    if pages <= 0 or page_size <= 0:
        return None
    return int(pages) * int(page_size)


def batch_bytes(crop: int, batch: int) -> int:
    """Bytes of one ``(batch, 3 + 1, crop, crop)`` float32 training batch."""
    return int(batch) * int(crop) * int(crop) * BATCH_BYTES_PER_PIXEL


def check_memory(crop: int, batch: int, memory: int | None = None) -> None:
    """Raise ``ValueError`` when one training batch cannot fit in memory.

    Args:
        crop: training crop side in pixels.
        batch: samples per batch (per process).
        memory: bytes available; default :func:`physical_memory_bytes`
            (no check when unknown).
    """
    memory = physical_memory_bytes() if memory is None else memory
    if memory is None:
        return
    need = batch_bytes(crop, batch)
    if need > memory:
        raise ValueError(
            f"crop: --crop {crop} with --batch {batch} needs at least {need / 2**30:,.1f} GiB for one batch, "
            f"more than this machine's {memory / 2**30:,.1f} GiB of memory; use a smaller --crop "
            "(the paper uses 256) or --batch"
        )
