"""The bounded work queue: capacity, positions, cancellation, failures, closing."""

from __future__ import annotations

import threading

import pytest

from senga.serving.work_queue import (
    CANCELLED,
    DONE,
    FAILED,
    Cancelled,
    Job,
    QueueClosed,
    QueueFull,
    WorkQueue,
)


class Gate:
    """A handler that records its jobs and waits for ``go`` before finishing."""

    def __init__(self) -> None:
        self.go = threading.Event()
        self.started = threading.Semaphore(0)
        self.seen: list[object] = []

    def __call__(self, job: Job) -> object:
        self.seen.append(job.payload)
        self.started.release()
        job.progress(0, 2)
        assert self.go.wait(60)
        job.progress(2, 2)
        if job.payload == "boom":
            raise RuntimeError("boom")
        return f"done {job.payload}"


def test_jobs_run_in_order_and_extra_ones_are_refused_at_once() -> None:
    gate = Gate()
    q = WorkQueue(gate, workers=1, capacity=2)
    try:
        a = q.submit("a")
        assert gate.started.acquire(timeout=60)
        b, c = q.submit("b"), q.submit("c")
        assert q.full() and (q.position(b), q.position(c), q.position(a)) == (0, 1, -1)
        with pytest.raises(QueueFull, match="server busy: 2 images are already waiting; retry later"):
            q.submit("d")
        assert (a.state, a.done, a.total) == ("running", 0, 2)
        gate.go.set()
        for job in (a, b, c):
            assert job.wait(60) and job.state == DONE
        assert [a.result, b.result, c.result] == ["done a", "done b", "done c"]
        assert gate.seen == ["a", "b", "c"]
        assert q.stats() == {
            "waiting": 0,
            "running": 0,
            "capacity": 2,
            "workers": 1,
            "completed": 3,
            "failed": 0,
            "rejected": 1,
        }
    finally:
        q.close()


def test_a_failing_job_does_not_stop_the_worker() -> None:
    gate = Gate()
    gate.go.set()
    q = WorkQueue(gate, workers=1, capacity=4)
    try:
        bad, good = q.submit("boom"), q.submit("ok")
        assert bad.wait(60) and good.wait(60)
        assert bad.state == FAILED and isinstance(bad.error, RuntimeError)
        assert (good.state, good.result) == (DONE, "done ok")
        assert q.stats()["failed"] == 1
    finally:
        q.close()


def test_cancelled_jobs_are_dropped_waiting_or_stopped_running() -> None:
    gate = Gate()
    dropped: list[object] = []
    q = WorkQueue(gate, workers=1, capacity=4, on_drop=lambda job: dropped.append(job.payload))
    try:
        running = q.submit("r")
        assert gate.started.acquire(timeout=60)
        waiting = q.submit("w")
        waiting.cancel()
        running.cancel()  # stops at its next progress report
        gate.go.set()
        assert running.wait(60) and waiting.wait(60)
        assert running.state == CANCELLED and isinstance(running.error, Cancelled)
        assert waiting.state == CANCELLED and dropped == ["w"]
        assert gate.seen == ["r"]  # the cancelled waiting job never ran
    finally:
        q.close()


def test_close_cancels_waiting_jobs_and_refuses_new_ones() -> None:
    gate = Gate()
    dropped: list[object] = []
    q = WorkQueue(gate, workers=1, capacity=4, on_drop=lambda job: dropped.append(job.payload))
    running = q.submit("r")
    assert gate.started.acquire(timeout=60)
    waiting = q.submit("w")
    threading.Timer(0.2, gate.go.set).start()
    q.close()
    assert running.state == DONE  # a running job finishes
    assert waiting.state == CANCELLED and isinstance(waiting.error, QueueClosed) and dropped == ["w"]
    assert q.closed and q.full()
    with pytest.raises(QueueClosed):
        q.submit("late")


def test_listeners_hear_progress_and_the_end() -> None:
    gate = Gate()
    gate.go.set()
    q = WorkQueue(gate, workers=1, capacity=1)
    try:
        heard: list[tuple[str, int, int]] = []
        done = threading.Event()
        job = q.submit("x")
        job.subscribe(lambda: (heard.append((job.state, job.done, job.total)), job.finished and done.set()))
        assert done.wait(60)
        assert heard[-1] == (DONE, 2, 2)
    finally:
        q.close()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"workers": 0}, "workers must be >= 1, got 0"),
        ({"capacity": 0}, "queue capacity must be >= 1, got 0"),
    ],
)
def test_bad_sizes(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WorkQueue(lambda job: None, **kwargs)
