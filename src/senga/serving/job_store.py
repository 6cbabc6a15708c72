"""Jobs a client may come back for (``/api/jobs``), by their random id, for a limited time.

A finished job's result is kept ``ttl_s`` seconds after it finished, and at
most ``max_results`` finished results are kept (the oldest go first); after
that the id is unknown (404). Unfinished jobs are bounded by the work queue.

Example:
    >>> from senga.serving.work_queue import Job
    >>> store = JobStore(ttl_s=60, max_results=2)
    >>> job = Job("payload")
    >>> store.add(job)
    >>> store.get(job.id) is job, store.get("guess") is None
    (True, True)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from senga.serving.work_queue import Job


class JobStore:
    """Jobs by id; finished ones expire after ``ttl_s`` seconds or when more than ``max_results`` are kept.

    Args:
        ttl_s: seconds a finished job stays reachable.
        max_results: finished jobs kept at most.
        clock: monotonic seconds (a test can pass its own).
    """

    def __init__(self, ttl_s: float, max_results: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.max_results = max_results
        self._clock = clock
        self._jobs: dict[str, Job] = {}
        self._finished_at: dict[str, float] = {}  # insertion order = finishing order
        self._lock = threading.Lock()

    def add(self, job: Job) -> None:
        """Keep ``job`` reachable by ``job.id`` (its finishing time is noted when it finishes)."""
        with self._lock:
            self._jobs[job.id] = job
        job.subscribe(lambda: self._note(job))

    def _note(self, job: Job) -> None:
        if job.finished:
            with self._lock:
                if job.id in self._jobs and job.id not in self._finished_at:
                    self._finished_at[job.id] = self._clock()
                self._purge()

    def get(self, job_id: str) -> Job | None:
        """The job, or None: unknown, or expired."""
        with self._lock:
            self._purge()
            return self._jobs.get(job_id)

    def __len__(self) -> int:
        with self._lock:
            self._purge()
            return len(self._jobs)

    def _purge(self) -> None:
        """Drop expired and surplus finished jobs (call with the lock held)."""
        now = self._clock()
        for job_id, finished in list(self._finished_at.items()):
            if now - finished < self.ttl_s and len(self._finished_at) <= self.max_results:
                break  # the rest finished later
            del self._finished_at[job_id]
            self._jobs.pop(job_id, None)
