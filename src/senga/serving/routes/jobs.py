"""Jobs to come back for: ``POST /api/jobs`` queues an image and answers its id at once;
``GET /api/jobs/{id}`` tells its state, ``GET /api/jobs/{id}/result`` gives the PNG.

Ids are 128 random bits (:class:`~senga.serving.work_queue.Job`); a finished
job's result is kept ``--result-ttl`` seconds and at most ``max_results`` of them
(:class:`~senga.serving.job_store.JobStore`), then its id is unknown (404).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from senga.serving.dependencies import MaxSide, ServeState, State, StyleForm, job_error, submit
from senga.serving.pipeline import RequestError
from senga.serving.routes.extract import ERRORS, ImageField, png_response
from senga.serving.work_queue import DONE, QUEUED, Job

router = APIRouter()


def describe(state: ServeState, job: Job) -> dict[str, Any]:
    """A job as JSON: ``id``, ``state``, ``position`` (while queued), ``done`` / ``total``, and
    ``status`` / ``error`` once it failed."""
    out: dict[str, Any] = {"id": job.id, "state": job.state, "done": job.done, "total": job.total}
    if job.state == QUEUED:
        out["position"] = max(state.queue.position(job), 0)
    if job.finished and job.state != DONE:
        err = job_error(job)
        out.update(status=err.status, error=err.message)
    return out


def _find(state: ServeState, job_id: str) -> Job:
    job = state.jobs.get(job_id)
    if job is None:
        raise RequestError(
            404,
            f"no job {job_id[:40]!r}: unknown, or its result expired "
            f"(results are kept {state.limits.result_ttl_s:g} s)",
        )
    return job


@router.post(
    "/api/jobs",
    summary="Queue one image; answers its job id at once (202)",
    status_code=202,
    responses={202: {"description": '{"id": ID, "state": "queued", ...}'}, **ERRORS},
)
async def create_job(state: State, image: ImageField, style: StyleForm, max_side: MaxSide) -> JSONResponse:
    job = await submit(state, image, style, max_side)
    state.jobs.add(job)
    return JSONResponse(describe(state, job), status_code=202, headers={"Location": f"/api/jobs/{job.id}"})


@router.get("/api/jobs/{job_id}", summary="A job's state and progress")
async def job_status(state: State, job_id: str) -> dict[str, Any]:
    return describe(state, _find(state, job_id))


@router.get(
    "/api/jobs/{job_id}/result",
    summary="A finished job's line art as PNG (409 while it is queued or running)",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, 404: {"description": "unknown or expired"}},
)
async def job_result(state: State, job_id: str) -> Response:
    job = _find(state, job_id)
    if not job.finished:
        raise RequestError(409, f"job {job.id} is {job.state}: ask GET /api/jobs/{job.id} until it is done")
    if job.state != DONE:
        raise job_error(job)
    return png_response(job.result, job.payload.name)
