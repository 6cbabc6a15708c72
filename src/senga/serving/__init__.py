"""``senga serve``: a local web page and HTTP API over one loaded model.

* :mod:`senga.serving.app`: ``create_app(extractor, limits)``, the FastAPI app;
* :mod:`senga.serving.work_queue`: the bounded work queue (one model worker by default);
* :mod:`senga.serving.pipeline`: decode, extract, style and encode one upload;
* :mod:`senga.serving.limits`: ``ServeLimits`` and their defaults;
* ``static/``: the page (plain HTML, CSS and JavaScript; no CDN, no build step).

Needs the ``serve`` extra (``pip install 'senga[serve]'``). Design: docs/serving.md.
"""

from senga.serving.limits import ServeLimits

__all__ = ["ServeLimits", "create_app"]


def __getattr__(name: str):  # create_app imports FastAPI: only when asked for
    if name == "create_app":
        from senga.serving.app import create_app

        return create_app
    raise AttributeError(name)
