"""Jobs by id: unfinished ones stay, finished ones expire after the TTL or beyond the cap."""

from __future__ import annotations

from senga.serving.job_store import JobStore
from senga.serving.work_queue import DONE, Job


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_finished_jobs_expire_after_the_ttl_unfinished_ones_stay() -> None:
    clock = Clock()
    store = JobStore(ttl_s=10, max_results=5, clock=clock)
    waiting, done = Job("w"), Job("d")
    store.add(waiting)
    store.add(done)
    done._finish(DONE, result=b"png")
    clock.now = 9.9
    assert store.get(done.id) is done
    clock.now = 10.0
    assert store.get(done.id) is None and len(store) == 1
    clock.now = 1e6
    assert store.get(waiting.id) is waiting  # never expires while it waits or runs


def test_only_the_newest_finished_jobs_are_kept() -> None:
    store = JobStore(ttl_s=60, max_results=2, clock=Clock())
    jobs = [Job(i) for i in range(4)]
    for job in jobs:
        store.add(job)
        job._finish(DONE)
    assert [store.get(job.id) is job for job in jobs] == [False, False, True, True]


def test_ids_are_unique_128_bit_tokens() -> None:
    ids = {Job(None).id for _ in range(1000)}
    assert len(ids) == 1000 and all(len(i) == 22 for i in ids)
