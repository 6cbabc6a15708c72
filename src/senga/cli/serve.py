"""``senga serve``: the local web page and HTTP API (needs ``pip install 'senga[serve]'``).

Loads the model once, binds 127.0.0.1:7860 by default (a warning when the
address is reachable from other machines), serves until Ctrl+C. Thin over
:mod:`senga.serving`; design and limits in docs/serving.md.
"""

from __future__ import annotations

import argparse
import ipaddress
import socket
import sys
import threading
import time
import webbrowser
from typing import Any

from senga.cli.arg_types import add_model_options, int_at_least, port

NAME = "serve"
HELP = "start the local web page and HTTP API (http://127.0.0.1:7860)"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from senga.serving.limits import (
        DEFAULT_MAX_PIXELS,
        DEFAULT_MAX_UPLOAD_BYTES,
        DEFAULT_QUEUE_SIZE,
        DEFAULT_WORKERS,
    )

    parser.add_argument(
        "--host", default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only; 0.0.0.0: every network)",
    )  # fmt: skip
    parser.add_argument("--port", type=port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free)")
    add_model_options(parser)
    parser.add_argument(
        "--workers", type=int_at_least(1), default=DEFAULT_WORKERS, metavar="N",
        help=f"images processed at once, sharing the one model (default {DEFAULT_WORKERS})",
    )  # fmt: skip
    parser.add_argument(
        "--queue", type=int_at_least(1), default=DEFAULT_QUEUE_SIZE, metavar="N",
        help=f"images that may wait; more get HTTP 429 (default {DEFAULT_QUEUE_SIZE})",
    )  # fmt: skip
    parser.add_argument(
        "--max-upload-mb", type=int_at_least(1), default=DEFAULT_MAX_UPLOAD_BYTES // 2**20, metavar="MB",
        help=f"largest upload in MiB (default {DEFAULT_MAX_UPLOAD_BYTES // 2**20})",
    )  # fmt: skip
    parser.add_argument(
        "--max-pixels", type=int_at_least(1), default=DEFAULT_MAX_PIXELS, metavar="N",
        help=f"largest image in pixels (default {DEFAULT_MAX_PIXELS:,})",
    )  # fmt: skip
    parser.add_argument("--open", action="store_true", help="open the page in the default web browser")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
            f"senga: error: senga serve needs the serve extra ({err.name} is missing): pip install 'senga[serve]'",
            file=sys.stderr,
        )
        return 2
    from senga.extract import LineExtractor
    from senga.serving.limits import ServeLimits

    limits = ServeLimits(
        max_upload_bytes=args.max_upload_mb * 2**20, max_pixels=args.max_pixels, queue_size=args.queue,
        workers=args.workers,
    )  # fmt: skip
    sock = _listen(args.host, args.port)
    try:
        extractor = LineExtractor.from_pretrained(
            args.model, device=args.device, half=args.half, backend=args.backend, ink_floor=args.ink_floor
        )
    except BaseException:
        sock.close()
        raise
    model = "bundled" if args.model == "default" else str(args.model)
    app = create_app(extractor, limits, model=model)
    port = sock.getsockname()[1]
    url = _url(args.host, port)
    if not _is_loopback(args.host):
        print(
            f"senga: warning: listening on {args.host}: anyone who can reach this machine can use the server "
            "(there is no login); use --host 127.0.0.1 to keep it local",
            file=sys.stderr,
        )
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=5))
    print(f"senga: serving {url} (model {model}, {extractor.device}); Ctrl+C stops", file=sys.stderr, flush=True)
    if args.open:
        threading.Thread(target=_open_when_started, args=(server, url), daemon=True).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl+C once it has shut down cleanly
        pass
    print("senga: stopped", file=sys.stderr)
    return 0


def _open_when_started(server: Any, url: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    if server.started:
        webbrowser.open(url)
