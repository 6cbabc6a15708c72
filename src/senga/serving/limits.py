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
#: Seconds an upload may go without sending a byte before it gets 408.
DEFAULT_UPLOAD_TIMEOUT_S: int = 30
#: Seconds a finished ``/api/jobs`` result is kept for its client to fetch.
DEFAULT_RESULT_TTL_S: int = 600
#: Finished ``/api/jobs`` results kept at most (the oldest go first).
DEFAULT_MAX_RESULTS: int = 16


@dataclass(frozen=True)
class ServeLimits:
    """What one server accepts and how much it does at once.

    Attributes:
        max_upload_bytes: request bodies above this get 413 (checked before reading them).
        max_pixels: images above this get 413 (checked from the header, before decoding).
        queue_size: waiting images; a request beyond them gets 429.
        workers: model worker threads.
        max_renders: concurrent restyle computations.
        upload_timeout_s: an upload that sends nothing for this long gets 408.
        result_ttl_s: a finished job's result is deleted this long after it finished.
        max_results: finished job results kept at most; beyond it the oldest is deleted.
    """

    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS
    queue_size: int = DEFAULT_QUEUE_SIZE
    workers: int = DEFAULT_WORKERS
    max_renders: int = DEFAULT_MAX_RENDERS
    upload_timeout_s: float = DEFAULT_UPLOAD_TIMEOUT_S
    result_ttl_s: float = DEFAULT_RESULT_TTL_S
    max_results: int = DEFAULT_MAX_RESULTS

    def __post_init__(self) -> None:
        for name in ("max_upload_bytes", "max_pixels", "queue_size", "workers", "max_renders", "max_results"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"serve limit {name}: must be an integer >= 1, got {value!r}")
        for name in ("upload_timeout_s", "result_ttl_s"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
                raise ValueError(f"serve limit {name}: must be a number of seconds > 0, got {value!r}")
