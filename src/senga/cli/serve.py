"""``senga serve``: the local web page and HTTP API (needs ``pip install -e '.[serve]'``).

Loads the model once, binds 127.0.0.1:7860 by default, serves until Ctrl+C.
Bound to an address other machines can reach, it needs a token (``--token``,
``SENGA_TOKEN``, or one generated and printed once as a URL that logs the
browser in). Thin over :mod:`senga.serving`; design, limits and safety in
docs/serving.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import socket
import sys
import threading
import time
import webbrowser
from typing import Any

from senga.cli.arg_types import add_model_options, int_at_least, port
from senga.weights import model_label

NAME = "serve"
HELP = "start the local web page and HTTP API (http://127.0.0.1:7860)"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
TOKEN_ENV = "SENGA_TOKEN"
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~+/=-]+")


def _token(text: str) -> str:
    """A ``--token`` value: letters, digits and ``._~+/=-`` only (it travels in a header, a cookie and a URL)."""
    if not _TOKEN_CHARS.fullmatch(text):
        raise argparse.ArgumentTypeError("use letters, digits and ._~+/=- only")
    return text


def _origin(text: str) -> str:
    from senga.serving.security import normalize_origin

    try:
        return normalize_origin(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err).split(": ", 1)[-1]) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from senga.serving.limits import (
        DEFAULT_MAX_PIXELS,
        DEFAULT_MAX_UPLOAD_BYTES,
        DEFAULT_QUEUE_SIZE,
        DEFAULT_RESULT_TTL_S,
        DEFAULT_UPLOAD_TIMEOUT_S,
        DEFAULT_WORKERS,
    )

    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only; 0.0.0.0: every network)",
    )
    parser.add_argument(
        "--port", type=port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free)"
    )
    add_model_options(parser)
    parser.add_argument(
        "--workers",
        type=int_at_least(1),
        default=DEFAULT_WORKERS,
        metavar="N",
        help=f"images processed at once, sharing the one model (default {DEFAULT_WORKERS})",
    )
    parser.add_argument(
        "--queue",
        type=int_at_least(1),
        default=DEFAULT_QUEUE_SIZE,
        metavar="N",
        help=f"images that may wait; more get HTTP 429 (default {DEFAULT_QUEUE_SIZE})",
    )
    parser.add_argument(
        "--max-upload-mb",
        type=int_at_least(1),
        default=DEFAULT_MAX_UPLOAD_BYTES // 2**20,
        metavar="MB",
        help=f"largest upload in MiB (default {DEFAULT_MAX_UPLOAD_BYTES // 2**20})",
    )
    parser.add_argument(
        "--max-pixels",
        type=int_at_least(1),
        default=DEFAULT_MAX_PIXELS,
        metavar="N",
        help=f"largest image in pixels (default {DEFAULT_MAX_PIXELS:,})",
    )
    parser.add_argument(
        "--upload-timeout",
        type=int_at_least(1),
        default=DEFAULT_UPLOAD_TIMEOUT_S,
        metavar="S",
        help=f"an upload that sends nothing for S seconds gets 408 (default {DEFAULT_UPLOAD_TIMEOUT_S})",
    )
    parser.add_argument(
        "--result-ttl",
        type=int_at_least(1),
        default=DEFAULT_RESULT_TTL_S,
        metavar="S",
        help=f"seconds a finished /api/jobs result is kept (default {DEFAULT_RESULT_TTL_S})",
    )
    parser.add_argument(
        "--token",
        type=_token,
        default=None,
        help=f"require this token from every client (bearer header or the cookie set by opening "
        f"URL/?token=TOKEN); default: ${TOKEN_ENV}, else one is generated when --host is not loopback",
    )
    parser.add_argument(
        "--allow-origin",
        type=_origin,
        action="append",
        default=[],
        metavar="URL",
        help="a web page origin (e.g. http://localhost:3000) allowed to call the API, with CORS; repeatable",
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another host name the server answers to (e.g. this machine's LAN name); repeatable",
    )
    parser.add_argument("--open", action="store_true", help="open the page in the default web browser")


def _listen(host: str, port: int) -> socket.socket:
    """Bind the listening socket here, so that a busy port is a one-line error."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as err:
        raise ValueError(f"--host {host}: cannot resolve ({err.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as err:
        sock.close()
        raise ValueError(f"cannot listen on {host}:{port} ({err.strerror or err})") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from senga.serving.app import create_app
    except ModuleNotFoundError as err:
        print(
            f"senga: error: senga serve needs the serve extra ({err.name} is missing): pip install -e '.[serve]'",
            file=sys.stderr,
        )
        return 2
    from senga.extract import LineExtractor
    from senga.serving.limits import ServeLimits
    from senga.serving.security import ServeSecurity, is_loopback

    limits = ServeLimits(
        max_upload_bytes=args.max_upload_mb * 2**20,
        max_pixels=args.max_pixels,
        queue_size=args.queue,
        workers=args.workers,
        upload_timeout_s=args.upload_timeout,
        result_ttl_s=args.result_ttl,
    )
    token = args.token
    if token is None and os.environ.get(TOKEN_ENV):
        token = _token_from_env(os.environ[TOKEN_ENV])
    generated = token is None and not is_loopback(args.host)
    if generated:
        token = secrets.token_urlsafe(24)
    checks = ServeSecurity.for_bind(args.host, args.allow_host, args.allow_origin, token)
    sock = _listen(args.host, args.port)
    try:
        extractor = LineExtractor.from_pretrained(
            args.model,
            device=args.device,
            half=args.half,
            backend=args.backend,
            ink_floor=args.ink_floor,
            precision=args.precision,
        )
    except BaseException:
        sock.close()
        raise
    model = model_label(args.model)
    app = create_app(extractor, limits, model=model, security=checks)
    port = sock.getsockname()[1]
    url = _url(args.host, port)
    login = f"{url}?token={token}" if token else url
    if generated:
        print(
            f"senga: listening on {args.host}: every request needs this run's token; open {login} "
            "(from another machine, with this machine's address in the URL); "
            f"set your own with --token or {TOKEN_ENV}",
            file=sys.stderr,
        )
    elif token:
        print(
            f"senga: every request needs the token: open {url}?token=TOKEN, or send Authorization: Bearer TOKEN",
            file=sys.stderr,
        )
    if "*" in checks.hosts:
        print(
            "senga: note: bound to every network, any host name is served (the token guards it); "
            "--allow-host NAME limits the names",
            file=sys.stderr,
        )
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=5)
    )
    print(
        f"senga: serving {url} (model {model}, {extractor.device}); Ctrl+C stops", file=sys.stderr, flush=True
    )
    if args.open:
        threading.Thread(target=_open_when_started, args=(server, login), daemon=True).start()
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl+C once it has shut down cleanly
        server.run(sockets=[sock])
    print("senga: stopped", file=sys.stderr)
    return 0


def _token_from_env(text: str) -> str:
    try:
        return _token(text)
    except argparse.ArgumentTypeError as err:
        raise ValueError(f"${TOKEN_ENV}: {err}") from None


def _open_when_started(server: Any, url: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    if server.started:
        webbrowser.open(url)
