"""``GET /`` (the page), ``GET /favicon.ico`` and ``GET /api/health``."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse

from senga import __version__
from senga.extract.style import STYLES, OutputStyle
from senga.serving.dependencies import State

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter()


@router.get("/", include_in_schema=False)
async def page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html")


@router.get("/favicon.ico", include_in_schema=False)
async def favicon() -> FileResponse:
    return FileResponse(STATIC_DIR / "favicon.ico", media_type="image/x-icon")


def styles_needing_rgb() -> list[str]:
    """The style names whose colors come from the input image (``OutputStyle.needs_rgb``)."""
    return [name for name in STYLES if OutputStyle(name).needs_rgb]


@router.get("/api/health", summary="Server, model and queue state")
async def health(state: State) -> dict[str, Any]:
    return {
        "status": "ok",
        "version": __version__,
        "model": state.model_name,
        "device": state.device_name,
        "backend": state.backend_name,
        "styles": list(STYLES),
        "styles_need_rgb": styles_needing_rgb(),
        "max_side": state.max_side_supported,
        "queue": state.queue.stats(),
        "limits": asdict(state.limits),
    }
