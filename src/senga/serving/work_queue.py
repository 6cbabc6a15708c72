"""A bounded work queue with a fixed number of worker threads.

The server's memory guard: at most ``capacity`` jobs wait and ``workers``
jobs run at any time; :meth:`WorkQueue.submit` refuses more at once
(:class:`QueueFull`, HTTP 429) instead of letting requests pile up. Jobs can
be cancelled (a client went away): a waiting job is then skipped, a running
one stops at its next progress report.

Example:
    >>> q = WorkQueue(lambda job: job.payload * 2, workers=1, capacity=2)
    >>> job = q.submit(21)
    >>> job.wait(5), job.result
    (True, 42)
    >>> q.close()
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class QueueFull(Exception):
    """Every waiting slot is taken: retry later (HTTP 429)."""


class QueueClosed(Exception):
    """The queue no longer takes jobs: the server is shutting down (HTTP 503)."""


class Cancelled(Exception):
    """Raised inside a running job whose client went away."""


#: Job states, in order.
QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"


@dataclass(eq=False)
class Job:
    """One unit of work and what became of it (its fields are updated by the worker thread).

    Attributes:
        payload: what the handler works on.
        id: 128 random bits, URL-safe (22 characters): unguessable, so a job is only
            reachable by the client it was given to.
        number: the submission order (1, 2, ...), for logs.
        state: ``"queued"``, ``"running"``, ``"done"``, ``"failed"`` or ``"cancelled"``.
        done, total: progress as the handler reports it (e.g. tiles).
        result: the handler's return value once ``state == "done"``.
        error: the exception once ``state == "failed"``.
    """

    payload: Any
    number: int = 0
    id: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    state: str = QUEUED
    done: int = 0
    total: int = 0
    result: Any = None
    error: BaseException | None = None
    _finished: threading.Event = field(default_factory=threading.Event, repr=False)
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    _listeners: list[Callable[[], None]] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job has finished (any final state); False on timeout."""
        return self._finished.wait(timeout)

    def cancel(self) -> None:
        """Ask for the job to be dropped (waiting) or stopped at its next progress report (running)."""
        self._cancel.set()

    def progress(self, done: int, total: int) -> None:
        """Record progress (called by the handler); raises :class:`Cancelled` if cancelled."""
        if self._cancel.is_set():
            raise Cancelled()
        self.done, self.total = int(done), int(total)
        self._notify()

    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` (from a worker thread) on every progress or state change."""
        with self._lock:
            self._listeners.append(callback)
            finished = self._finished.is_set()
        if finished:
            callback()

    def _notify(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for callback in listeners:
            try:
                callback()
            except RuntimeError:  # a listener whose event loop is closed must not break the worker
                continue

    def _finish(self, state: str, result: Any = None, error: BaseException | None = None) -> None:
        self.state, self.result, self.error = state, result, error
        with self._lock:
            self._finished.set()
        self._notify()


class WorkQueue:
    """``workers`` threads running ``handler(job)`` on jobs from a queue of ``capacity`` slots.

    Args:
        handler: does the work; its return value becomes ``job.result``; it
            may call ``job.progress(done, total)``. An exception fails that
            job only.
        workers: number of worker threads (>= 1).
        capacity: jobs that may wait beyond the running ones (>= 1).
        on_drop: called with each job that ends without running (cancelled
            while waiting, or waiting when the queue closed), e.g. to delete
            its input file.
    """

    def __init__(
        self,
        handler: Callable[[Job], Any],
        workers: int = 1,
        capacity: int = 8,
        on_drop: Callable[[Job], None] | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        if capacity < 1:
            raise ValueError(f"queue capacity must be >= 1, got {capacity}")
        self.handler = handler
        self.on_drop = on_drop
        self.workers = workers
        self.capacity = capacity
        self._queue: queue.Queue[Job | None] = queue.Queue(maxsize=capacity)
        self._waiting: list[Job] = []  # FIFO mirror of the queue, for positions
        self._lock = threading.Lock()
        self._closed = False
        self._running = 0
        self._counter = itertools.count(1)
        self.completed = 0
        self.failed = 0
        self.rejected = 0
        self._threads = [
            threading.Thread(target=self._work, name=f"senga-worker-{i}", daemon=True) for i in range(workers)
        ]
        for t in self._threads:
            t.start()

    def submit(self, payload: Any) -> Job:
        """Queue a job; raises :class:`QueueFull` or :class:`QueueClosed` at once instead of waiting."""
        with self._lock:
            if self._closed:
                raise QueueClosed("the server is shutting down")
            job = Job(payload, number=next(self._counter))
            try:
                self._queue.put_nowait(job)
            except queue.Full:
                self.rejected += 1
                raise QueueFull(
                    f"server busy: {self.capacity} images are already waiting; retry later"
                ) from None
            self._waiting.append(job)
        return job

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def full(self) -> bool:
        """True when a :meth:`submit` now would be refused."""
        with self._lock:
            return self._closed or len(self._waiting) >= self.capacity

    def position(self, job: Job) -> int:
        """Jobs ahead of a waiting ``job`` (0: next to run); -1 once it left the queue."""
        with self._lock:
            try:
                return self._waiting.index(job)
            except ValueError:
                return -1

    def stats(self) -> dict[str, int]:
        """``waiting``, ``running``, ``capacity``, ``workers``, ``completed``, ``failed``, ``rejected``."""
        with self._lock:
            return {
                "waiting": len(self._waiting),
                "running": self._running,
                "capacity": self.capacity,
                "workers": self.workers,
                "completed": self.completed,
                "failed": self.failed,
                "rejected": self.rejected,
            }

    def close(self, timeout: float | None = 10.0) -> None:
        """Refuse new jobs, cancel the waiting ones, let running ones finish (up to ``timeout`` s each)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            waiting, self._waiting = self._waiting, []
        for job in waiting:
            job.cancel()
            self._drop(job, QueueClosed("the server is shutting down"))
        while True:  # drain so that the sentinels fit
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        for _ in self._threads:
            self._queue.put(None)
        for t in self._threads:
            t.join(timeout)

    def _drop(self, job: Job, error: BaseException) -> None:
        if self.on_drop is not None:
            with contextlib.suppress(OSError):  # e.g. its file is already gone: dropped all the same
                self.on_drop(job)
        job._finish(CANCELLED, error=error)

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            with self._lock:
                try:
                    self._waiting.remove(job)
                except ValueError:  # closed meanwhile
                    continue
                skip = job.cancelled
                if not skip:
                    self._running += 1
                    job.state = RUNNING
            if skip:
                self._drop(job, Cancelled())
                continue
            job._notify()
            state, result = DONE, None
            error: BaseException | None = None
            try:
                result = self.handler(job)
            except Cancelled as err:
                state, error = CANCELLED, err
            except Exception as err:  # noqa: BLE001 - one bad job must not end the worker
                state, error = FAILED, err
            with self._lock:
                self._running -= 1
                self.completed += state == DONE
                self.failed += state == FAILED
                waiting = list(self._waiting)
            job._finish(state, result=result, error=error)
            for other in waiting:  # they moved up one place
                other._notify()
