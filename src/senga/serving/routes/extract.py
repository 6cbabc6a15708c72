"""``POST /api/extract``, ``POST /api/extract/stream`` (NDJSON progress) and ``POST /api/render``."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response, StreamingResponse

from senga.serving.dependencies import (
    MaxSide,
    State,
    StyleForm,
    job_changes,
    job_error,
    save_upload,
    submit,
)
from senga.serving.pipeline import Rendered, display_name, download_name, restyle_file
from senga.serving.work_queue import DONE, QUEUED

router = APIRouter()

ImageField = Annotated[UploadFile, File(description="the illustration (PNG, JPEG, WEBP, TIFF, BMP, GIF)")]
LineImageField = Annotated[UploadFile, File(description="a line image, black lines on white")]
SourceField = Annotated[
    UploadFile | None, File(description="the input illustration, for styles that take colors from it")
]

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "not an image, truncated, empty, or a bad style field"},
    413: {"description": "upload or image above the limits"},
    415: {"description": "a video (senga serve takes images)"},
    429: {"description": "the work queue is full: retry after Retry-After seconds"},
    503: {"description": "the server is shutting down"},
}


def png_response(result: Rendered, name: str) -> Response:
    """The PNG answer: a download named ``NAME_lines.png`` with ``X-Image-Size: WxH``."""
    return Response(
        result.png,
        media_type="image/png",
        headers={
            "Content-Disposition": f'attachment; filename="{download_name(name)}"',
            "X-Image-Size": f"{result.width}x{result.height}",
        },
    )


def _line(event: dict[str, Any]) -> bytes:
    """One NDJSON line."""
    return (json.dumps(event) + "\n").encode()


@router.post(
    "/api/extract",
    summary="Line art of one image, as PNG (same size as the input)",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "the line art"}, **ERRORS},
)
async def extract(
    request: Request, state: State, image: ImageField, style: StyleForm, max_side: MaxSide
) -> Response:
    job = await submit(state, image, style, max_side)
    async for _ in job_changes(job, request):
        pass
    if not job.finished:  # the client hung up: nobody reads the answer
        return Response(status_code=499)
    if job.state != DONE:
        raise job_error(job)
    return png_response(job.result, job.payload.name)


@router.post(
    "/api/extract/stream",
    summary="Like /api/extract, answered as NDJSON progress events (the page uses it)",
    responses={
        200: {
            "content": {"application/x-ndjson": {}},
            "description": 'one JSON object per line: first {"event": "queued", "position": N}, then '
            '{"event": "progress", "done": D, "total": T}, then {"event": "done", "width": W, '
            '"height": H, "mode": M, "name": "NAME_lines.png", "png": BASE64} or {"event": "error", '
            '"status": S, "error": "one line"}',
        },
        **ERRORS,
    },
)
async def extract_stream(
    state: State, image: ImageField, style: StyleForm, max_side: MaxSide
) -> StreamingResponse:
    job = await submit(state, image, style, max_side)

    async def events() -> AsyncIterator[bytes]:
        last: tuple[Any, ...] = ("queued", max(state.queue.position(job), 0))
        yield _line(
            {"event": "queued", "position": last[1]}
        )  # always first, even if a worker took it at once
        async for _ in job_changes(job):
            if job.finished:
                break
            if job.state == QUEUED:
                key: tuple[Any, ...] = ("queued", max(state.queue.position(job), 0))
                event: dict[str, Any] = {"event": "queued", "position": key[1]}
            else:
                key = ("progress", job.done, job.total)
                event = {"event": "progress", "done": job.done, "total": job.total}
            if key != last:
                last = key
                yield _line(event)
        if job.state == DONE:
            r: Rendered = job.result
            yield _line(
                {
                    "event": "done",
                    "width": r.width,
                    "height": r.height,
                    "mode": r.mode,
                    "name": download_name(job.payload.name),
                    "png": base64.b64encode(r.png).decode("ascii"),
                }
            )
        else:
            err = job_error(job)
            yield _line({"event": "error", "status": err.status, "error": err.message})

    return StreamingResponse(
        events(), media_type="application/x-ndjson", headers={"Cache-Control": "no-store"}
    )


@router.post(
    "/api/render",
    summary="Restyle a line image (black lines on white, as /api/extract returns it) without the model",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "the styled line art"}, **ERRORS},
)
async def render(
    state: State, image: LineImageField, style: StyleForm, source: SourceField = None
) -> Response:
    name = display_name(image.filename)
    path = await save_upload(state, image)
    source_path = None
    try:
        if source is not None:
            source_name = display_name(source.filename)
            source_path = await save_upload(state, source)
        result = await anyio.to_thread.run_sync(
            lambda: restyle_file(
                path, name, style, state.limits.max_pixels, source_path, source_name if source else "source"
            ),
            limiter=state.render_limiter,
        )
    finally:
        path.unlink(missing_ok=True)
        if source_path is not None:
            source_path.unlink(missing_ok=True)
    return png_response(result, name)
