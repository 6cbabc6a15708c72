"""Who may use the server: host names, origins and an optional token (docs/serving.md, "Safety").

Three checks, outermost first, each answering before a route runs:

1. **Host** (Starlette's ``TrustedHostMiddleware``): only the names the server
   was started for are served (``127.0.0.1``, ``localhost``, ``[::1]``, the
   ``--host`` name and any ``--allow-host``), so a web site that rebinds its
   name to this machine (DNS rebinding) gets 400.
2. **Origin** (:class:`OriginGuard`): a state-changing request (every method
   but GET / HEAD / OPTIONS, and every ``/api/jobs/`` route) sent by a browser
   from another origin gets 403, unless ``--allow-origin`` names that origin;
   those origins also get CORS headers (Starlette's ``CORSMiddleware``).
   Requests without an ``Origin`` (curl, scripts) are not browser requests
   from another site and pass.
3. **Token** (:class:`TokenGuard`, when a token is set): every request needs
   ``Authorization: Bearer TOKEN`` or the ``senga_token`` cookie, compared
   in constant time (``secrets.compare_digest``); 401 without. Opening
   ``/?token=TOKEN`` sets the cookie and redirects to the page, whose own
   (same-origin) requests then carry it.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

#: Host names every server answers to (this machine's loopback names).
LOOPBACK_HOSTS: tuple[str, ...] = ("127.0.0.1", "localhost", "[::1]")
#: The cookie the login URL sets.
TOKEN_COOKIE = "senga_token"
#: The query parameter of the login URL.
TOKEN_QUERY = "token"
#: Methods that never change anything (the Origin check lets them through, except on job routes).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Path prefix of the routes that return a job's state or result (Origin-checked on every method).
JOB_PATHS = "/api/jobs"


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (``127.0.0.1``, ``::1``, ``[::1]``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """True for a bind address meaning every network (``0.0.0.0``, ``::``, empty)."""
    return host in ("", "0.0.0.0", "::", "[::]")


def host_pattern(host: str) -> str:
    """A ``--host`` value as it appears in a Host header: IPv6 in brackets, lower case."""
    host = host.strip().lower()
    try:
        if ipaddress.ip_address(host.strip("[]")).version == 6:
            return f"[{host.strip('[]')}]"
    except ValueError:
        pass
    return host


def normalize_origin(text: str) -> str:
    """``"http://Example.org:8080/"`` -> ``"http://example.org:8080"``.

    Raises:
        ValueError: not ``scheme://host[:port]`` (no path, query or user).
    """
    parts = urlsplit(text.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        raise ValueError(f"--allow-origin {text!r}: expected an origin like http://example.org:8080")
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return f"{parts.scheme}://{netloc}"


@dataclass(frozen=True)
class ServeSecurity:
    """The server's host names, allowed cross-origin callers and token.

    Attributes:
        hosts: host names served (patterns for ``TrustedHostMiddleware``; ``"*"`` = any).
        origins: other origins allowed to call the API (normalised ``scheme://host[:port]``).
        token: required from every client when set (bearer header or cookie).
    """

    hosts: tuple[str, ...] = LOOPBACK_HOSTS
    origins: tuple[str, ...] = ()
    token: str | None = field(default=None, repr=False)

    @classmethod
    def for_bind(
        cls, host: str, allow_hosts: Iterable[str] = (), origins: Iterable[str] = (), token: str | None = None
    ) -> ServeSecurity:
        """The checks for a server bound to ``host``.

        Served names: :data:`LOOPBACK_HOSTS`, ``host`` itself and ``allow_hosts``. A
        wildcard bind (``0.0.0.0``) without ``allow_hosts`` serves any name: clients on
        the network use names and addresses the server cannot list, and the token
        guards it instead.
        """
        names = list(LOOPBACK_HOSTS)
        extra = [host_pattern(h) for h in allow_hosts]
        if is_wildcard(host):
            names += extra or ["*"]
        else:
            names += [host_pattern(host), *extra]
        unique = tuple(dict.fromkeys(names))
        return cls(
            hosts=unique, origins=tuple(dict.fromkeys(normalize_origin(o) for o in origins)), token=token
        )


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _same_origin(scope: Scope, origin: str) -> bool:
    host = Headers(scope=scope).get("host", "")
    return origin.lower() == f"{scope.get('scheme', 'http')}://{host}".lower()


class OriginGuard:
    """ASGI middleware: 403 for a state-changing request a browser sends from a foreign origin.

    Checked: every method but GET / HEAD / OPTIONS, and every method on ``/api/jobs``.
    A request passes when it has no ``Origin`` and no cross-site ``Sec-Fetch-Site``
    (not a cross-site browser request), when its ``Origin`` is the server's own,
    or when ``origins`` lists it.
    """

    def __init__(self, app: ASGIApp, origins: Sequence[str] = ()) -> None:
        self.app = app
        self.origins = frozenset(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._checked(scope):
            headers = Headers(scope=scope)
            origin = headers.get("origin")
            if origin is None:
                refused = headers.get("sec-fetch-site", "") in ("cross-site", "same-site")
                shown = "another site"
            else:
                refused = not (_same_origin(scope, origin) or origin.lower().rstrip("/") in self.origins)
                shown = origin
            if refused:
                response = _error(
                    403,
                    f"requests from {shown} are not allowed (start senga serve with --allow-origin ORIGIN "
                    "to allow a web page on another origin)",
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _checked(scope: Scope) -> bool:
        path: str = scope["path"]
        return scope["method"] not in SAFE_METHODS or path == JOB_PATHS or path.startswith(JOB_PATHS + "/")


class TokenGuard:
    """ASGI middleware: 401 unless the request carries the token (bearer header or cookie).

    ``GET PATH?token=TOKEN`` with the right token answers 303 to ``PATH`` (the
    token removed from the URL) and sets the cookie (HttpOnly, SameSite=Lax).
    CORS preflight requests (OPTIONS) pass: browsers send them without credentials.
    """

    def __init__(self, app: ASGIApp, token: str) -> None:
        if not token:
            raise ValueError("the server token must not be empty")
        self.app = app
        self.token = token.encode()

    def _matches(self, candidate: str | None) -> bool:
        return candidate is not None and secrets.compare_digest(candidate.encode(), self.token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = dict(query).get(TOKEN_QUERY)
        if given is not None and scope["method"] == "GET":
            if not self._matches(given):
                await _error(401, "wrong token in the URL")(scope, receive, send)
                return
            rest = urlencode([(k, v) for k, v in query if k != TOKEN_QUERY])
            login = RedirectResponse(scope["path"] + (f"?{rest}" if rest else ""), status_code=303)
            login.set_cookie(TOKEN_COOKIE, given, httponly=True, samesite="lax", path="/")
            await login(scope, receive, send)
            return
        scheme, _, bearer = headers.get("authorization", "").partition(" ")
        cookie = _cookie(headers.get("cookie", ""), TOKEN_COOKIE)
        if not (
            self._matches(bearer.strip() if scheme.lower() == "bearer" else None) or self._matches(cookie)
        ):
            response = _error(
                401,
                "this server needs its token: open the URL senga serve printed, "
                "or send the header Authorization: Bearer TOKEN",
                {"WWW-Authenticate": "Bearer"},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value
    return None


def install_checks(app: Starlette, security: ServeSecurity) -> None:
    """Add the checks to a Starlette / FastAPI ``app`` (call after its other middleware)."""
    from starlette.middleware.cors import CORSMiddleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    add = app.add_middleware
    if security.token:  # added first = innermost of the three
        add(TokenGuard, token=security.token)
    add(OriginGuard, origins=security.origins)
    if security.origins:
        add(
            CORSMiddleware,
            allow_origins=list(security.origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            allow_credentials=True,
            expose_headers=["Content-Disposition", "X-Image-Size", "Retry-After"],
        )
    add(TrustedHostMiddleware, allowed_hosts=list(security.hosts), www_redirect=False)
