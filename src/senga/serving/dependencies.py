"""What the routes share: the server's state, the style form, uploads and waiting for a job.

FastAPI dependencies (``Depends``) and helpers used by :mod:`senga.serving.routes`:

* :class:`ServeState` (``app.state.serve``): the extractor, limits, work queue,
  job store and temporary folder of one app; :func:`get_state` hands it to a route;
* :func:`style_form`: the style fields (``style``, ``color``, ``gamma``,
  ``drop_below``) declared once, parsed into an :class:`OutputStyle` by the
  library (its errors become 400);
* :func:`max_side_form`: the optional ``max_side`` field;
* :func:`save_upload`, :func:`submit`: an upload copied to a server-named file, queued;
* :func:`job_changes`: the one wait-for-a-job loop (the plain route waits on it,
  the stream turns each change into an event).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, BinaryIO

import anyio
from fastapi import Depends, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from senga.errors import first_line
from senga.extract.extractor import Extractor
from senga.extract.resize import check_max_side
from senga.extract.style import STYLES, OutputStyle
from senga.serving.job_store import JobStore
from senga.serving.limits import ServeLimits
from senga.serving.pipeline import (
    Rendered,
    RequestError,
    check_not_video,
    display_name,
    extract_file,
    parse_style,
    supports_max_side,
)
from senga.serving.work_queue import FAILED, Job, QueueClosed, QueueFull, WorkQueue


@dataclass(frozen=True)
class Payload:
    """What a queued job works on: the upload's file, its shown name, the style and size option."""

    path: Path
    name: str
    style: OutputStyle
    max_side: int | None = None


@dataclass
class ServeState:
    """One app's extractor, limits, queue, job store, temporary folder and descriptions."""

    extractor: Extractor
    limits: ServeLimits
    queue: WorkQueue
    jobs: JobStore
    tmp_dir: Path
    render_limiter: anyio.CapacityLimiter
    model_name: str
    device_name: str
    backend_name: str

    @property
    def max_side_supported(self) -> bool:
        return supports_max_side(self.extractor)


def get_state(request: Request) -> ServeState:
    """The app's :class:`ServeState` (a dependency)."""
    state: ServeState = request.app.state.serve
    return state


State = Annotated[ServeState, Depends(get_state)]


def style_form(
    style: Annotated[str, Form(description=f"output style: {', '.join(STYLES)}")] = "black",
    color: Annotated[str, Form(description="line color of the alpha style, #RRGGBB")] = "#000000",
    gamma: Annotated[float, Form(description="line contrast: ink ** gamma, in [0.1, 10]")] = 1.0,
    drop_below: Annotated[float, Form(description="remove ink fainter than this, in [0, 1)")] = 0.0,
) -> OutputStyle:
    """The style fields of a request as an :class:`OutputStyle` (400 naming the field when invalid)."""
    return parse_style(style, color, gamma, drop_below)


StyleForm = Annotated[OutputStyle, Depends(style_form)]


def max_side_form(
    state: State,
    max_side: Annotated[
        int | None,
        Form(
            description="run the model with the long side at most this many pixels (>= 16); default full size"
        ),
    ] = None,
) -> int | None:
    """The optional ``max_side`` field, checked by the library (400 when invalid, or when
    this server's model cannot run at a reduced size)."""
    if max_side is None:
        return None
    if not state.max_side_supported:
        raise RequestError(400, "max_side: this server's model cannot run at a reduced size")
    try:
        return check_max_side(max_side)
    except ValueError as err:
        raise RequestError(400, str(err)) from None


MaxSide = Annotated[int | None, Depends(max_side_form)]


def _copy(src: BinaryIO, dest: Path) -> None:
    with open(dest, "xb") as out:
        shutil.copyfileobj(src, out, 1 << 20)


async def save_upload(state: ServeState, image: UploadFile) -> Path:
    """Copy an upload into a file the server named (the client's name is never a path);
    refuse videos (415). The body's size is capped by the app (``max_body_size``)."""
    dest = state.tmp_dir / uuid.uuid4().hex
    try:
        await run_in_threadpool(_copy, image.file, dest)
        await run_in_threadpool(check_not_video, dest, display_name(image.filename))
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    finally:
        await image.close()
    return dest


async def submit(
    state: ServeState, image: UploadFile, style: OutputStyle, max_side: int | None = None
) -> Job:
    """Save ``image`` and queue it; 429 when the queue is full, 503 when it is closed."""
    name = display_name(image.filename)
    path = await save_upload(state, image)
    try:
        return state.queue.submit(Payload(path, name, style, max_side))
    except QueueFull as err:
        path.unlink(missing_ok=True)
        raise RequestError(429, str(err)) from None
    except QueueClosed as err:
        path.unlink(missing_ok=True)
        raise RequestError(503, str(err)) from None


def run_job(state: ServeState, job: Job) -> Rendered:
    """The work queue's handler: extract one upload, then delete its file."""
    p: Payload = job.payload
    try:
        return extract_file(
            state.extractor, p.path, p.name, p.style, state.limits.max_pixels, job.progress, p.max_side
        )
    finally:
        p.path.unlink(missing_ok=True)


async def job_changes(job: Job, request: Request | None = None, poll_s: float = 0.25) -> AsyncIterator[Job]:
    """Yield ``job`` now and after each change (at least every ``poll_s`` s) until it has finished.

    With ``request``, the client is checked at each step; when it has gone away
    the job is cancelled (a waiting job is skipped, a running one stops at its
    next tile) and the iteration ends with the job unfinished. Leaving the loop
    early (the stream's client went away) also cancels the job.
    """
    loop = asyncio.get_running_loop()
    changed = asyncio.Event()

    def wake() -> None:  # called from a worker thread
        loop.call_soon_threadsafe(changed.set)

    job.subscribe(wake)
    try:
        while True:
            yield job
            if job.finished:
                return
            if request is not None and await request.is_disconnected():
                return
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(changed.wait(), poll_s)
            changed.clear()
    finally:
        if not job.finished:  # the client went away or the request was cancelled: free the worker
            job.cancel()


def job_error(job: Job) -> RequestError:
    """The HTTP error for a job that did not finish with a result."""
    err = job.error
    if isinstance(err, RequestError):
        return err
    if job.state == FAILED and err is not None:
        return RequestError(
            500, f"{job.payload.name}: extraction failed ({type(err).__name__}: {first_line(err, '')})"
        )
    return RequestError(503, "the server is shutting down")
