"""``senga serve``: a local web page and HTTP API over one loaded model.

* :mod:`senga.serving.app`: ``create_app(extractor, limits, security=...)``, the FastAPI app;
* :mod:`senga.serving.routes`: its routers (``page``, ``extract``, ``jobs``);
* :mod:`senga.serving.dependencies`: the app's state, the style form, uploads, waiting for a job;
* :mod:`senga.serving.security`: host names, origins, the optional token (``ServeSecurity``);
* :mod:`senga.serving.job_store`: jobs by random id, results that expire;
* :mod:`senga.serving.work_queue`: the bounded work queue (one model worker by default);
* :mod:`senga.serving.pipeline`: decode, extract, style and encode one upload;
* :mod:`senga.serving.limits`: ``ServeLimits`` and their defaults;
* ``static/``: the page (plain HTML, CSS and JavaScript; no CDN, no build step).

Needs the ``serve`` extra (``pip install -e '.[serve]'``). Design: docs/serving.md.
"""

from __future__ import annotations

from senga.serving.limits import ServeLimits

__all__ = ["ServeLimits", "ServeSecurity", "create_app"]


def __getattr__(name: str):  # create_app imports FastAPI: only when asked for
    if name == "create_app":
        from senga.serving.app import create_app

        return create_app
    if name == "ServeSecurity":  # imports Starlette, like create_app
        from senga.serving.security import ServeSecurity

        return ServeSecurity
    raise AttributeError(name)
