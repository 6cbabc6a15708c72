"""The web app behind ``senga serve``: the page, the HTTP API, the work queue.

``create_app(extractor)`` builds a FastAPI app around one loaded extractor
(shared by the worker threads; it is thread-safe). Routes:

* ``GET /``: the page (plain HTML/CSS/JS shipped in ``senga/serving/static``);
* ``GET /api/health``: version, model, device, queue state, limits;
* ``POST /api/extract``: multipart ``image`` (+ ``style``, ``color``,
  ``gamma``, ``drop_below``) -> the line art as PNG;
* ``POST /api/extract/stream``: the same, answered as NDJSON events
  (queue position, tiles done / total, then the PNG in base64): the page uses it;
* ``POST /api/render``: restyle a line image (black on white, as
  ``/api/extract`` returns it) without the model;
* ``GET /docs``: the OpenAPI page (served offline).

Errors are JSON ``{"error": "one line"}`` with status 400 (bad image or
field), 411 (no Content-Length), 413 (upload or image too large), 429 (queue
full, with ``Retry-After``), 503 (shutting down), 500 (a bug; the server goes
on). Design and limits: docs/serving.md.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

import anyio
from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from senga import __version__
from senga.extract.extractor import Extractor
from senga.extract.style import STYLES, OutputStyle
from senga.serving.limits import ServeLimits
from senga.serving.pipeline import (
    Rendered,
    RequestError,
    display_name,
    download_name,
    extract_file,
    parse_style,
    restyle_file,
)
from senga.serving.work_queue import DONE, FAILED, QUEUED, Job, QueueClosed, QueueFull, WorkQueue

STATIC_DIR = Path(__file__).parent / "static"
#: Paths whose request bodies are uploads (size-checked before they are read).
UPLOAD_PATHS = frozenset({"/api/extract", "/api/extract/stream", "/api/render"})
#: Upload paths that need a place in the work queue.
QUEUED_PATHS = frozenset({"/api/extract", "/api/extract/stream"})
RETRY_AFTER_S = 5
_COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class _Payload:
    path: Path
    name: str
    style: OutputStyle


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _busy(message: str) -> JSONResponse:
    return _error(429, message, {"Retry-After": str(RETRY_AFTER_S)})


class _UploadGuard:
    """ASGI middleware answering before a body is read: 411 without Content-Length,
    413 above the upload limit, 429 when the work queue is full."""

    def __init__(self, app: ASGIApp, limits: ServeLimits, queue: WorkQueue) -> None:
        self.app, self.limits, self.queue = app, limits, queue

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in UPLOAD_PATHS:
            response = self._check(scope)
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

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
            return _busy(f"server busy: {self.queue.capacity} images are already waiting; retry later")
        return None


def _copy_upload(src: BinaryIO, dest: Path, limit: int) -> None:
    """Copy an upload into a file the server named (the client's name is never a path)."""
    size = 0
    with open(dest, "xb") as out:
        while chunk := src.read(_COPY_CHUNK):
            size += len(chunk)
            if size > limit:
                raise RequestError(413, f"upload is above the limit of {limit:,} bytes")
            out.write(chunk)


async def _wait(job: Job, request: Request | None = None, poll_s: float = 0.5) -> bool:
    """Wait (without blocking the event loop) until ``job`` has finished.

    With ``request``, the client is checked every ``poll_s`` seconds; when it has
    gone away the job is cancelled (a waiting job is skipped, a running one stops
    at its next tile) and ``False`` is returned. ``True``: the job finished.
    """
    loop = asyncio.get_running_loop()
    changed = asyncio.Event()
    job.subscribe(lambda: loop.call_soon_threadsafe(changed.set))
    while not job.finished:
        if request is not None and await request.is_disconnected():
            job.cancel()
            return False
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(changed.wait(), poll_s)
        changed.clear()
    return True


def _line(event: dict[str, Any]) -> bytes:
    """One NDJSON line."""
    return (json.dumps(event) + "\n").encode()


def _job_error(job: Job) -> RequestError:
    """The HTTP error for a job that did not finish with a result."""
    err = job.error
    if isinstance(err, RequestError):
        return err
    if job.state == FAILED and err is not None:
        text = str(err).strip().splitlines()[0] if str(err).strip() else ""
        return RequestError(500, f"{job.payload.name}: extraction failed ({type(err).__name__}: {text})")
    return RequestError(503, "the server is shutting down")


def _png_response(result: Rendered, name: str) -> Response:
    return Response(
        result.png,
        media_type="image/png",
        headers={
            "Content-Disposition": f'attachment; filename="{download_name(name)}"',
            "X-Image-Size": f"{result.width}x{result.height}",
        },
    )


def create_app(
    extractor: Extractor,
    limits: ServeLimits | None = None,
    model: str = "",
    device: str = "",
) -> FastAPI:
    """Build the app around one loaded extractor.

    Args:
        extractor: anything with ``predict_gray(rgb, progress) -> (H, W) uint8``
            (a :class:`~senga.extract.LineExtractor`), shared by the workers.
        limits: upload / pixel / queue limits (defaults: :class:`ServeLimits`).
        model: model description for ``/api/health`` (e.g. the folder or ``"bundled"``).
        device: device description for ``/api/health``; default from ``extractor.device``.

    The work queue's threads start now; they stop, and the temporary folder
    is removed, when the app shuts down (its lifespan ends).
    """
    from fastapi_offline import FastAPIOffline

    limits = limits or ServeLimits()
    tmp_dir = Path(tempfile.mkdtemp(prefix="senga-serve-"))
    render_limiter = anyio.CapacityLimiter(limits.max_renders)
    model_name = model or getattr(getattr(getattr(extractor, "model", None), "config", None), "name", "")
    device_name = device or str(getattr(extractor, "device", None) or "cpu")
    describe = getattr(getattr(extractor, "backend", None), "describe", None)
    backend_name = describe() if callable(describe) else type(extractor).__name__

    def run_job(job: Job) -> Rendered:
        payload: _Payload = job.payload
        try:
            return extract_file(extractor, payload.path, payload.name, payload.style, limits.max_pixels, job.progress)
        finally:
            payload.path.unlink(missing_ok=True)

    def drop_job(job: Job) -> None:
        job.payload.path.unlink(missing_ok=True)

    queue = WorkQueue(run_job, workers=limits.workers, capacity=limits.queue_size, on_drop=drop_job)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await run_in_threadpool(queue.close)
            shutil.rmtree(tmp_dir, ignore_errors=True)

    app = FastAPIOffline(
        title="senga",
        version=__version__,
        description="Grayscale line art from color illustrations. The page is at `/`; "
        "errors are JSON `{\"error\": \"one line\"}`.",
        lifespan=lifespan,
    )
    app.state.queue = queue
    app.state.limits = limits
    app.state.tmp_dir = tmp_dir
    app.add_middleware(_UploadGuard, limits=limits, queue=queue)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(RequestError)
    async def on_request_error(request: Request, err: RequestError) -> JSONResponse:
        return _error(err.status, err.message)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, err: StarletteHTTPException) -> JSONResponse:
        return _error(err.status_code, str(err.detail), getattr(err, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, err: RequestValidationError) -> JSONResponse:
        problems = []
        for e in err.errors():
            where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query"))
            problems.append(f"{where}: {e.get('msg', 'invalid')}" if where else str(e.get("msg")))
        return _error(400, "; ".join(problems) or "bad request")

    @app.exception_handler(Exception)
    async def on_bug(request: Request, err: Exception) -> JSONResponse:
        text = str(err).strip().splitlines()[0] if str(err).strip() else ""
        return _error(500, f"internal error ({type(err).__name__}: {text})")

    async def save_upload(image: UploadFile) -> Path:
        dest = tmp_dir / uuid.uuid4().hex
        try:
            await run_in_threadpool(_copy_upload, image.file, dest, limits.max_upload_bytes)
        except BaseException:
            dest.unlink(missing_ok=True)
            raise
        finally:
            await image.close()
        return dest

    async def submit(image: UploadFile, style: OutputStyle) -> Job:
        name = display_name(image.filename)
        path = await save_upload(image)
        try:
            return queue.submit(_Payload(path, name, style))
        except QueueFull as err:
            path.unlink(missing_ok=True)
            raise RequestError(429, str(err)) from None
        except QueueClosed as err:
            path.unlink(missing_ok=True)
            raise RequestError(503, str(err)) from None

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    @app.get("/api/health", summary="Server, model and queue state")
    async def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "version": __version__,
            "model": model_name,
            "device": device_name,
            "backend": backend_name,
            "styles": list(STYLES),
            "queue": queue.stats(),
            "limits": asdict(limits),
        }

    image_field = File(..., description="the illustration (PNG, JPEG, WEBP, TIFF, BMP, GIF)")
    line_image_field = File(..., description="a line image, black lines on white")
    style_field = Form("black", description=f"output style: {', '.join(STYLES)}")
    color_field = Form("#000000", description="line color of the alpha style, #RRGGBB")
    gamma_field = Form(1.0, description="line contrast: ink ** gamma, in [0.1, 10]")
    drop_field = Form(0.0, description="remove ink fainter than this, in [0, 1)")

    @app.post(
        "/api/extract",
        summary="Line art of one image, as PNG (same size as the input)",
        response_class=Response,
        responses={
            200: {"content": {"image/png": {}}, "description": "the line art"},
            400: {"description": "not an image, truncated, empty, or a bad style field"},
            413: {"description": "upload or image above the limits"},
            429: {"description": "the work queue is full: retry after Retry-After seconds"},
            503: {"description": "the server is shutting down"},
        },
    )
    async def extract(
        request: Request,
        image: UploadFile = image_field,
        style: str = style_field,
        color: str = color_field,
        gamma: float = gamma_field,
        drop_below: float = drop_field,
    ) -> Response:
        chosen = parse_style(style, color, gamma, drop_below)
        job = await submit(image, chosen)
        try:
            if not await _wait(job, request):  # the client hung up: nobody reads the answer
                return Response(status_code=499)
        finally:
            if not job.finished:  # the request was cancelled
                job.cancel()
        if job.state != DONE:
            raise _job_error(job)
        return _png_response(job.result, job.payload.name)

    @app.post(
        "/api/extract/stream",
        summary="Like /api/extract, answered as NDJSON progress events (the page uses it)",
        responses={
            200: {
                "content": {"application/x-ndjson": {}},
                "description": 'one JSON object per line: {"event": "queued", "position": N}, '
                '{"event": "progress", "done": D, "total": T}, then {"event": "done", "width": W, '
                '"height": H, "name": "NAME_lines.png", "png": BASE64} or {"event": "error", '
                '"status": S, "error": "one line"}',
            }
        },
    )
    async def extract_stream(
        image: UploadFile = image_field,
        style: str = style_field,
        color: str = color_field,
        gamma: float = gamma_field,
        drop_below: float = drop_field,
    ) -> StreamingResponse:
        chosen = parse_style(style, color, gamma, drop_below)
        job = await submit(image, chosen)

        async def events() -> AsyncIterator[bytes]:
            loop = asyncio.get_running_loop()
            changed = asyncio.Event()
            job.subscribe(lambda: loop.call_soon_threadsafe(changed.set))
            last: tuple[Any, ...] = ()
            try:
                while True:
                    if job.state == QUEUED:
                        position = max(queue.position(job), 0)
                        key: tuple[Any, ...] = ("queued", position)
                        event: dict[str, Any] = {"event": "queued", "position": position}
                    else:
                        key = ("progress", job.done, job.total)
                        event = {"event": "progress", "done": job.done, "total": job.total}
                    if job.finished:
                        break
                    if key != last:
                        last = key
                        yield _line(event)
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(changed.wait(), 0.25)
                    changed.clear()
                if job.state == DONE:
                    r: Rendered = job.result
                    yield _line({
                        "event": "done", "width": r.width, "height": r.height, "mode": r.mode,
                        "name": download_name(job.payload.name), "png": base64.b64encode(r.png).decode("ascii"),
                    })  # fmt: skip
                else:
                    err = _job_error(job)
                    yield _line({"event": "error", "status": err.status, "error": err.message})
            finally:
                if not job.finished:  # the client went away: free the worker
                    job.cancel()

        return StreamingResponse(events(), media_type="application/x-ndjson", headers={"Cache-Control": "no-store"})

    @app.post(
        "/api/render",
        summary="Restyle a line image (black lines on white, as /api/extract returns it) without the model",
        response_class=Response,
        responses={200: {"content": {"image/png": {}}, "description": "the styled line art"}},
    )
    async def render_route(
        image: UploadFile = line_image_field,
        style: str = style_field,
        color: str = color_field,
        gamma: float = gamma_field,
        drop_below: float = drop_field,
    ) -> Response:
        chosen = parse_style(style, color, gamma, drop_below)
        name = display_name(image.filename)
        path = await save_upload(image)
        try:
            result = await anyio.to_thread.run_sync(
                restyle_file, path, name, chosen, limits.max_pixels, limiter=render_limiter
            )
        finally:
            path.unlink(missing_ok=True)
        return _png_response(result, name)

    return app
