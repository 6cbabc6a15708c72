"""The server's limits, with their documented defaults (docs/serving.md)."""

from __future__ import annotations

from dataclasses import dataclass

#: Largest upload accepted, in bytes (64 MiB).
DEFAULT_MAX_UPLOAD_BYTES: int = 64 * 2**20
#: Largest image accepted, in pixels: 64 megapixels, e.g. 8000 x 8000.
DEFAULT_MAX_PIXELS: int = 64_000_000
#: Images that may wait for the model beyond the ones being processed.
DEFAULT_QUEUE_SIZE: int = 8
#: Model workers (threads sharing the one loaded model).
DEFAULT_WORKERS: int = 1
#: Restyle requests (no model: decode, style, encode) run at once; more wait.
DEFAULT_MAX_RENDERS: int = 2


@dataclass(frozen=True)
class ServeLimits:
    """What one server accepts and how much it does at once.

    Attributes:
        max_upload_bytes: request bodies above this get 413 (checked before reading them).
        max_pixels: images above this get 413 (checked from the header, before decoding).
        queue_size: waiting images; a request beyond them gets 429.
        workers: model worker threads.
        max_renders: concurrent restyle computations.
    """

    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS
    queue_size: int = DEFAULT_QUEUE_SIZE
    workers: int = DEFAULT_WORKERS
    max_renders: int = DEFAULT_MAX_RENDERS

    def __post_init__(self) -> None:
        for name in ("max_upload_bytes", "max_pixels", "queue_size", "workers", "max_renders"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"serve limit {name}: must be an integer >= 1, got {value!r}")
