"""Over a real socket (uvicorn in a thread): host names, origins, CORS, the token, job ids and expiry,
a stalled upload."""

from __future__ import annotations

import base64
import http.client
import io
import json
import socket
import time
from collections.abc import Iterator

import pytest

pytest.importorskip("fastapi", reason="the serve extra is not installed (pip install -e '.[serve]')")
pytest.importorskip("uvicorn", reason="the serve extra is not installed (pip install -e '.[serve]')")

from images import png_bytes
from PIL import Image
from serving_helpers import multipart, running

from senga.serving import ServeLimits, create_app

EVIL = "http://evil.example"
TOKEN = "s3cret-Token_123"


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> dict:
        return json.loads(self.body)


def request(
    host: str, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> Answer:
    """One HTTP request to ``host`` ("127.0.0.1:PORT"); header names in the answer are lower case."""
    conn = http.client.HTTPConnection(host, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return Answer(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    finally:
        conn.close()


def upload(
    host: str, path: str = "/api/extract", headers: dict[str, str] | None = None, **fields: str
) -> Answer:
    body, kind = multipart(png_bytes(10, 14), **fields)
    return request(host, "POST", path, body, {"Content-Type": kind, **(headers or {})})


def _checks(**kwargs):
    from senga.serving.security import ServeSecurity

    return ServeSecurity.for_bind("127.0.0.1", **kwargs)


@pytest.fixture
def local(tiny_extractor) -> Iterator[str]:
    with running(create_app(tiny_extractor)) as host:
        yield host


def test_cross_origin_post_is_refused_before_anything_runs(local: str) -> None:
    r = upload(local, headers={"Origin": EVIL})
    assert r.status == 403 and r.json()["error"].startswith(f"requests from {EVIL} are not allowed")
    assert "access-control-allow-origin" not in r.headers
    r = upload(local, "/api/extract/stream", headers={"Origin": EVIL})
    assert r.status == 403
    r = upload(local, "/api/render", headers={"Origin": "null"})  # a sandboxed page or a file:// one
    assert r.status == 403
    health = json.loads(request(local, "GET", "/api/health").body)
    assert health["queue"]["completed"] == 0  # the model never ran


def test_same_origin_and_origin_less_posts_are_accepted(local: str) -> None:
    for headers in ({"Origin": f"http://{local}"}, {}):  # the page itself; curl or a script
        r = upload(local, headers=headers)
        assert r.status == 200 and r.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(r.body)).size == (14, 10)


def test_cross_site_requests_without_origin_are_refused_on_job_routes(local: str) -> None:
    r = request(local, "GET", "/api/jobs/anything/result", headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status == 403
    r = request(local, "GET", "/api/jobs/anything/result", headers={"Origin": EVIL})
    assert r.status == 403


def test_foreign_host_names_are_refused(local: str) -> None:
    port = local.rsplit(":", 1)[1]
    r = request(local, "GET", "/api/health", headers={"Host": f"evil.example:{port}"})  # DNS rebinding
    assert r.status == 400
    r = upload(local, headers={"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"})
    assert r.status == 400
    for name in ("localhost", "127.0.0.1", "[::1]"):
        assert request(local, "GET", "/api/health", headers={"Host": f"{name}:{port}"}).status == 200, name


def test_allowed_origins_get_cors_headers_and_others_do_not(tiny_extractor) -> None:
    allowed = "http://localhost:3000"
    app = create_app(tiny_extractor, security=_checks(origins=[allowed + "/"]))
    with running(app) as host:
        preflight = request(
            host,
            "OPTIONS",
            "/api/extract",
            headers={
                "Origin": allowed,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        assert preflight.status == 200
        assert preflight.headers["access-control-allow-origin"] == allowed
        r = upload(host, headers={"Origin": allowed})
        assert r.status == 200 and r.headers["access-control-allow-origin"] == allowed
        assert "x-image-size" in r.headers["access-control-expose-headers"].lower()
        r = upload(host, headers={"Origin": EVIL})
        assert r.status == 403 and "access-control-allow-origin" not in r.headers
        preflight = request(
            host, "OPTIONS", "/api/extract", headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"}
        )
        assert "access-control-allow-origin" not in preflight.headers


def test_token_is_required_as_bearer_header_or_cookie(tiny_extractor) -> None:
    app = create_app(tiny_extractor, security=_checks(token=TOKEN))
    with running(app) as host:
        for path in ("/", "/api/health", "/static/app.js"):
            r = request(host, "GET", path)
            assert r.status == 401 and r.headers["www-authenticate"] == "Bearer", path
            assert "needs its token" in r.json()["error"]
        assert upload(host).status == 401
        assert request(host, "GET", "/api/health", headers={"Authorization": "Bearer wrong"}).status == 401
        assert request(host, "GET", "/api/health", headers={"Cookie": "senga_token=wrong"}).status == 401
        assert request(host, "GET", "/api/health", headers={"Authorization": f"Bearer {TOKEN}"}).status == 200
        assert upload(host, headers={"Authorization": f"Bearer {TOKEN}"}).status == 200
        # the printed URL logs the browser in: a cookie, then the page without the token in its URL
        assert request(host, "GET", "/?token=wrong").status == 401
        login = request(host, "GET", f"/?token={TOKEN}")
        assert login.status == 303 and login.headers["location"] == "/"
        cookie = login.headers["set-cookie"]
        assert cookie.startswith(f"senga_token={TOKEN};") and "httponly" in cookie.lower()
        jar = {"Cookie": cookie.split(";", 1)[0]}
        page = request(host, "GET", "/", headers=jar)
        assert page.status == 200 and b'type="file"' in page.body
        assert request(host, "GET", "/static/app.js", headers=jar).status == 200
        # the page's own requests: same origin, with the cookie
        r = upload(host, "/api/extract/stream", headers={**jar, "Origin": f"http://{host}"})
        assert r.status == 200 and json.loads(r.body.splitlines()[-1])["event"] == "done"
        # the token does not replace the origin check
        assert upload(host, headers={**jar, "Origin": EVIL}).status == 403


def _wait_done(host: str, job_id: str) -> dict:
    deadline = time.monotonic() + 60
    while (state := json.loads(request(host, "GET", f"/api/jobs/{job_id}").body))["state"] in (
        "queued",
        "running",
    ):
        assert time.monotonic() < deadline, state
        time.sleep(0.05)
    return state


def test_job_ids_are_random_and_long_and_results_come_back(local: str) -> None:
    ids = []
    for _ in range(4):
        r = upload(local, "/api/jobs")
        assert r.status == 202, r.body
        ids.append(r.json()["id"])
        assert r.headers["location"] == f"/api/jobs/{ids[-1]}"
    assert len(set(ids)) == 4
    for job_id in ids:
        assert len(base64.urlsafe_b64decode(job_id + "==")) == 16  # 128 random bits
        assert _wait_done(local, job_id)["state"] == "done"
    prefixes = {job_id[:4] for job_id in ids}
    assert len(prefixes) == 4  # not a counter
    r = request(local, "GET", f"/api/jobs/{ids[0]}/result")
    assert r.status == 200 and Image.open(io.BytesIO(r.body)).size == (14, 10)
    assert r.headers["content-disposition"] == 'attachment; filename="a_lines.png"'
    guess = ids[0][:-1] + ("A" if ids[0][-1] != "A" else "B")
    assert request(local, "GET", f"/api/jobs/{guess}").status == 404
    assert request(local, "GET", "/api/jobs/1/result").status == 404


def test_finished_results_expire_after_the_ttl(tiny_extractor) -> None:
    with running(create_app(tiny_extractor, ServeLimits(result_ttl_s=1.0))) as host:
        first = upload(host, "/api/jobs").json()["id"]
        _wait_done(host, first)
        assert request(host, "GET", f"/api/jobs/{first}/result").status == 200
        time.sleep(1.3)
        r = request(host, "GET", f"/api/jobs/{first}/result")
        assert r.status == 404 and "expired" in r.json()["error"]
        assert request(host, "GET", f"/api/jobs/{first}").status == 404


def test_only_the_newest_results_are_kept_beyond_the_cap(tiny_extractor) -> None:
    with running(create_app(tiny_extractor, ServeLimits(max_results=2))) as host:
        ids = [upload(host, "/api/jobs").json()["id"] for _ in range(3)]
        for job_id in ids[1:]:  # one worker, in order: the first finished before them
            _wait_done(host, job_id)
        assert [request(host, "GET", f"/api/jobs/{i}/result").status for i in ids] == [404, 200, 200]


def test_an_upload_that_stalls_after_its_headers_gets_408_and_the_server_goes_on(tiny_extractor) -> None:
    with running(create_app(tiny_extractor, ServeLimits(upload_timeout_s=0.5))) as host:
        body, kind = multipart(png_bytes(10, 10))
        addr, port = host.rsplit(":", 1)
        with socket.create_connection((addr, int(port)), timeout=30) as s:
            head = (
                f"POST /api/extract HTTP/1.1\r\nHost: {host}\r\nContent-Type: {kind}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode()
            s.sendall(head + body[:40])  # then nothing
            t0 = time.monotonic()
            answer = b""
            while b"}" not in answer and (chunk := s.recv(65536)):
                answer += chunk
            took = time.monotonic() - t0
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"the upload sent nothing for 0.5 s" in answer
        assert took < 10
        assert upload(host).status == 200
