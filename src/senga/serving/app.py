"""The web app behind ``senga serve``: the page, the HTTP API, the work queue.

``create_app(extractor)`` builds a FastAPI app around one loaded extractor
(shared by the worker threads; it is thread-safe). Routes (:mod:`senga.serving.routes`):

* ``GET /``: the page (plain HTML/CSS/JS shipped in ``senga/serving/static``);
  ``GET /favicon.ico``;
* ``GET /api/health``: version, model, device, styles, queue state, limits;
* ``POST /api/extract``: multipart ``image`` (+ ``style``, ``color``,
  ``gamma``, ``drop_below``, ``max_side``) -> the line art as PNG;
* ``POST /api/extract/stream``: the same, answered as NDJSON events
  (queue position, tiles done / total, then the PNG in base64): the page uses it;
* ``POST /api/render``: restyle a line image (black on white, as
  ``/api/extract`` returns it) without the model;
* ``POST /api/jobs``, ``GET /api/jobs/{id}``, ``GET /api/jobs/{id}/result``:
  queue an image and come back for it (random ids, results expire);
* ``GET /docs``: the OpenAPI page (served offline).

Errors are JSON ``{"error": "one line"}`` with status 400 (bad image or
field), 401 (token missing), 403 (another origin), 404 (unknown or expired
job), 408 (upload stalled), 411 (no Content-Length), 413 (upload or image too
large), 415 (a video), 429 (queue full, with ``Retry-After``), 503 (shutting
down), 500 (a bug; the server goes on); a foreign Host header gets the
framework's 400 ``Invalid host header``. Design, limits and safety: docs/serving.md.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from senga import __version__
from senga.errors import first_line
from senga.extract.extractor import Extractor
from senga.serving.dependencies import ServeState, run_job
from senga.serving.job_store import JobStore
from senga.serving.limits import ServeLimits
from senga.serving.pipeline import RequestError
from senga.serving.routes import extract, jobs, page
from senga.serving.security import ServeSecurity, install_checks
from senga.serving.work_queue import WorkQueue

STATIC_DIR = page.STATIC_DIR
#: Paths whose request bodies are uploads (size-checked before they are read).
UPLOAD_PATHS = frozenset({"/api/extract", "/api/extract/stream", "/api/render", "/api/jobs"})
#: Upload paths that need a place in the work queue.
QUEUED_PATHS = frozenset({"/api/extract", "/api/extract/stream", "/api/jobs"})
RETRY_AFTER_S = 5


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


class _UploadGuard:
    """ASGI middleware answering before a body is read: 411 without Content-Length,
    413 above the upload limit, 429 when the work queue is full, 503 when it is closed.
    While the body is read: 413 as soon as more bytes than the limit arrive (whatever
    Content-Length said), 408 when the upload sends nothing for ``upload_timeout_s`` seconds."""

    def __init__(self, app: ASGIApp, limits: ServeLimits, queue: WorkQueue) -> None:
        self.app, self.limits, self.queue = app, limits, queue

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in UPLOAD_PATHS:
            response = self._check(scope)
            if response is not None:
                await response(scope, receive, send)
                return
            receive = self._timed(receive)
        await self.app(scope, receive, send)

    def _timed(self, receive: Receive) -> Receive:
        """``receive`` that caps the body's size and fails with 408 when it stalls (until it is complete)."""
        complete = False
        seen = 0
        timeout, limit = self.limits.upload_timeout_s, self.limits.max_upload_bytes

        async def timed_receive() -> Message:
            nonlocal complete, seen
            if complete:
                return await receive()
            try:
                with anyio.fail_after(timeout):
                    message = await receive()
            except TimeoutError:
                raise StarletteHTTPException(
                    408,
                    f"the upload sent nothing for {timeout:g} s (raise it with senga serve --upload-timeout)",
                ) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise StarletteHTTPException(413, f"upload is above the limit of {limit:,} bytes")
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        return timed_receive

    def _check(self, scope: Scope) -> JSONResponse | None:
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is None:
            return _error(411, "uploads need a Content-Length header")
        try:
            size = int(length)
        except ValueError:
            return _error(400, "bad Content-Length header")
        if size > self.limits.max_upload_bytes:
            return _error(
                413,
                f"upload is {size:,} bytes, above the limit of {self.limits.max_upload_bytes:,} "
                "(raise it with senga serve --max-upload-mb)",
            )
        if scope["path"] in QUEUED_PATHS and self.queue.closed:
            return _error(503, "the server is shutting down")
        if scope["path"] in QUEUED_PATHS and self.queue.full():
            return _error(
                429,
                f"server busy: {self.queue.capacity} images are already waiting; retry later",
                {"Retry-After": str(RETRY_AFTER_S)},
            )
        return None


async def _on_request_error(request: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, RequestError)
    headers = {"Retry-After": str(RETRY_AFTER_S)} if err.status == 429 else None
    return _error(err.status, err.message, headers)


async def _on_http_error(request: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, StarletteHTTPException)
    return _error(err.status_code, str(err.detail), getattr(err, "headers", None))


async def _on_validation_error(request: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, RequestValidationError)
    problems = []
    for e in err.errors():
        where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query"))
        problems.append(f"{where}: {e.get('msg', 'invalid')}" if where else str(e.get("msg")))
    return _error(400, "; ".join(problems) or "bad request")


async def _on_bug(request: Request, err: Exception) -> JSONResponse:
    return _error(500, f"internal error ({type(err).__name__}: {first_line(err, '')})")


def create_app(
    extractor: Extractor,
    limits: ServeLimits | None = None,
    model: str = "",
    device: str = "",
    security: ServeSecurity | None = None,
) -> FastAPI:
    """Build the app around one loaded extractor.

    Args:
        extractor: anything with ``predict_gray(rgb, progress) -> (H, W) uint8``
            (a :class:`~senga.extract.LineExtractor`), shared by the workers.
        limits: upload / pixel / queue / time limits (defaults: :class:`ServeLimits`).
        model: model description for ``/api/health`` (e.g. the folder or ``"default"``).
        device: device description for ``/api/health``; default from ``extractor.device``.
        security: host names, allowed origins and token (default: loopback
            names only, no other origin, no token; :mod:`senga.serving.security`).

    The work queue's threads start now; they stop, and the temporary folder
    is removed, when the app shuts down (its lifespan ends).
    """
    from fastapi_offline import FastAPIOffline

    limits = limits or ServeLimits()
    checks = security or ServeSecurity()
    tmp_dir = Path(tempfile.mkdtemp(prefix="senga-serve-"))
    describe = getattr(getattr(extractor, "backend", None), "describe", None)
    queue = WorkQueue(
        lambda job: run_job(state, job),  # `state` is bound below, before any job can be submitted
        workers=limits.workers,
        capacity=limits.queue_size,
        on_drop=lambda job: job.payload.path.unlink(missing_ok=True),
    )
    state = ServeState(
        extractor=extractor,
        limits=limits,
        queue=queue,
        jobs=JobStore(limits.result_ttl_s, limits.max_results),
        tmp_dir=tmp_dir,
        render_limiter=anyio.CapacityLimiter(limits.max_renders),
        model_name=model or getattr(getattr(getattr(extractor, "model", None), "config", None), "name", ""),
        device_name=device or str(getattr(extractor, "device", None) or "cpu"),
        backend_name=describe() if callable(describe) else type(extractor).__name__,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await run_in_threadpool(state.queue.close)
            shutil.rmtree(tmp_dir, ignore_errors=True)

    app = FastAPIOffline(
        title="senga",
        version=__version__,
        description="Grayscale line art from color illustrations. The page is at `/`; "
        'errors are JSON `{"error": "one line"}`.',
        lifespan=lifespan,
    )
    app.state.serve = state
    app.state.queue = state.queue
    app.state.limits = limits
    app.state.tmp_dir = tmp_dir
    app.state.security = checks
    app.add_middleware(_UploadGuard, limits=limits, queue=state.queue)
    install_checks(app, checks)  # outside the upload guard: host, origin and token come first
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_exception_handler(RequestError, _on_request_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(Exception, _on_bug)
    for router in (page.router, extract.router, jobs.router):
        app.include_router(router)
    return app
