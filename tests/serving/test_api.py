"""The HTTP API in-process (FastAPI's test client): good and bad images, limits, queue, styles, streaming."""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("fastapi", reason="the serve extra is not installed (pip install -e '.[serve]')")
pytest.importorskip("fastapi_offline", reason="the serve extra is not installed (pip install -e '.[serve]')")

from fastapi.testclient import TestClient
from images import png_bytes
from PIL import Image
from serving_helpers import BlockingExtractor

from senga.extract.style import STYLES, OutputStyle, render_array
from senga.io import gray_to_ink
from senga.serving import ServeLimits, create_app

LOCAL = "http://127.0.0.1"  # a host name the server answers to (foreign ones get 400)


@pytest.fixture
def client(tiny_extractor) -> Iterator[TestClient]:
    with TestClient(create_app(tiny_extractor, model="tiny"), base_url=LOCAL) as c:
        yield c


def _post(client: TestClient, data: bytes, name: str = "art.png", url: str = "/api/extract", **fields: str):
    return client.post(url, files={"image": (name, data, "application/octet-stream")}, data=fields)


def _image(response) -> Image.Image:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    img = Image.open(io.BytesIO(response.content))
    img.load()
    return img


def test_health_names_model_device_version_queue_and_limits(client: TestClient) -> None:
    from senga import __version__

    h = client.get("/api/health").json()
    assert h["status"] == "ok" and h["version"] == __version__
    assert (h["model"], h["device"]) == ("tiny", "cpu")
    assert h["styles"][:3] == ["black", "alpha", "controlnet"] and h["styles"] == list(STYLES)
    assert h["queue"] == {
        "waiting": 0,
        "running": 0,
        "capacity": 8,
        "workers": 1,
        "completed": 0,
        "failed": 0,
        "rejected": 0,
    }
    assert h["limits"]["max_pixels"] == 64_000_000 and h["limits"]["max_upload_bytes"] == 64 * 2**20


def test_good_image_gives_the_extractors_line_art_at_the_same_size(
    client: TestClient, tiny_extractor
) -> None:
    data = png_bytes(24, 36)
    r = _post(client, data, name="My Art.png")
    img = _image(r)
    assert (img.mode, img.size) == ("L", (36, 24))
    rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    np.testing.assert_array_equal(np.asarray(img), tiny_extractor.predict_gray(rgb))
    assert r.headers["content-disposition"] == 'attachment; filename="My Art_lines.png"'
    assert r.headers["x-image-size"] == "36x24"


@pytest.mark.parametrize(
    ("fmt", "mode"),
    [
        ("JPEG", "RGB"),
        ("WEBP", "RGB"),
        ("TIFF", "RGB"),
        ("GIF", "P"),
        ("PNG", "RGBA"),
        ("PNG", "L"),
        ("BMP", "RGB"),
    ],
)
def test_common_formats_are_accepted(client: TestClient, fmt: str, mode: str) -> None:
    img = _image(_post(client, png_bytes(20, 30, mode=mode, fmt=fmt), name=f"x.{fmt.lower()}"))
    assert img.size == (30, 20)


def _truncated() -> bytes:
    data = png_bytes(64, 64)
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            b"this is not an image",
            "notes.png",
            "notes.png: not an image file (unknown or unsupported format)",
        ),
        (b"", "empty.jpg", "empty.jpg: empty file (0 bytes)"),
        (None, "half.png", "half.png: cannot decode image (truncated or corrupt image data)"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "header.png", "header.png: "),
    ],
)
def test_bad_images_get_400_with_one_line_naming_the_file(client: TestClient, data, name, message) -> None:
    r = _post(client, _truncated() if data is None else data, name=name)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error.startswith(message) and "\n" not in error
    assert _post(client, png_bytes(8, 8)).status_code == 200  # the next file goes on


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"style": "sepia"}, f"style: unknown style 'sepia' (choose from {', '.join(STYLES)})"),
        ({"gamma": "0"}, "style gamma: must be in [0.1, 10], got 0.0"),
        ({"gamma": "strong"}, "gamma: Input should be a valid number, unable to parse string as a number"),
        ({"drop_below": "1"}, "style drop_below: must be in [0, 1), got 1.0"),
        ({"style": "alpha", "color": "blue"}, "line color: expected a hex color like #000000, got 'blue'"),
    ],
)
def test_bad_style_fields_get_400(client: TestClient, fields: dict[str, str], message: str) -> None:
    r = _post(client, png_bytes(), **fields)
    assert (r.status_code, r.json()) == (400, {"error": message})


def test_missing_image_field_gets_400(client: TestClient) -> None:
    r = client.post("/api/extract", data={"style": "black"})
    assert (r.status_code, r.json()) == (400, {"error": "image: Field required"})


def test_upload_above_the_limit_gets_413_before_it_is_read(tiny_extractor) -> None:
    limits = ServeLimits(max_upload_bytes=2000)
    with TestClient(create_app(tiny_extractor, limits), base_url=LOCAL) as client:
        r = _post(client, b"\0" * 5000, name="big.png")
        assert r.status_code == 413
        assert r.json()["error"].startswith("upload is ") and "above the limit of 2,000" in r.json()["error"]
        assert list(client.app.state.tmp_dir.iterdir()) == []
        assert _post(client, png_bytes(8, 8)).status_code == 200


def test_image_above_the_pixel_limit_gets_413(tiny_extractor) -> None:
    with TestClient(create_app(tiny_extractor, ServeLimits(max_pixels=500)), base_url=LOCAL) as client:
        r = _post(client, png_bytes(30, 40), name="wide.png")
        assert r.status_code == 413
        assert r.json()["error"].startswith("wide.png: image is 40x30 = 1,200 pixels, above the limit of 500")
        assert _image(_post(client, png_bytes(10, 20))).size == (20, 10)


def test_upload_without_content_length_gets_411(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"--x\r\n"

    r = client.post(
        "/api/extract", content=chunks(), headers={"content-type": "multipart/form-data; boundary=x"}
    )
    assert (r.status_code, r.json()) == (411, {"error": "uploads need a Content-Length header"})


def _in_thread(fn, *args) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def target() -> None:
        out["response"] = fn(*args)

    t = threading.Thread(target=target, daemon=True)
    t.start()
    return t, out


def _wait_for(predicate, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_full_queue_gets_429_with_retry_after_and_waiting_requests_complete() -> None:
    slow = BlockingExtractor()
    with TestClient(create_app(slow, ServeLimits(queue_size=1, workers=1)), base_url=LOCAL) as client:
        first, out1 = _in_thread(_post, client, png_bytes(10, 12), "one.png")
        assert slow.started.acquire(timeout=120)  # the worker is busy with it
        second, out2 = _in_thread(_post, client, png_bytes(10, 14), "two.png")
        _wait_for(lambda: client.get("/api/health").json()["queue"]["waiting"] == 1)
        r = _post(client, png_bytes(10, 16), name="three.png")
        assert r.status_code == 429
        assert r.headers["retry-after"] == "5"
        assert r.json() == {"error": "server busy: 1 images are already waiting; retry later"}
        assert client.get("/api/health").json()["queue"]["running"] == 1
        slow.release.set()
        first.join(120)
        second.join(120)
        assert _image(out1["response"]).size == (12, 10)
        assert _image(out2["response"]).size == (14, 10)
        assert list(client.app.state.tmp_dir.iterdir()) == []  # every upload's temporary file is gone


def test_concurrent_requests_all_complete_with_their_own_sizes(tiny_extractor) -> None:
    sizes = [(8 + i, 12 + 3 * i) for i in range(6)]
    with TestClient(create_app(tiny_extractor, ServeLimits(queue_size=8)), base_url=LOCAL) as client:
        threads = [_in_thread(_post, client, png_bytes(h, w), f"{i}.png") for i, (h, w) in enumerate(sizes)]
        for t, _ in threads:
            t.join(120)
        got = [_image(out["response"]).size for _, out in threads]
        assert got == [(w, h) for h, w in sizes]
        assert client.get("/api/health").json()["queue"]["completed"] == 6


def test_shutting_down_gets_503(client: TestClient) -> None:
    client.app.state.queue.close()
    r = _post(client, png_bytes())
    assert (r.status_code, r.json()) == (503, {"error": "the server is shutting down"})


def test_an_extractor_crash_is_a_500_for_that_image_only(tiny_extractor) -> None:
    class Flaky:
        device = "cpu"
        calls = 0

        def predict_gray(self, rgb, progress=None):
            Flaky.calls += 1
            if Flaky.calls == 1:
                raise RuntimeError("out of memory\nmore detail")
            return tiny_extractor.predict_gray(rgb, progress)

    with TestClient(create_app(Flaky()), base_url=LOCAL) as client:
        r = _post(client, png_bytes(), name="a.png")
        assert (r.status_code, r.json()) == (
            500,
            {"error": "a.png: extraction failed (RuntimeError: out of memory)"},
        )
        assert _image(_post(client, png_bytes(10, 10))).size == (10, 10)


def test_styles_round_trip(client: TestClient) -> None:
    data = png_bytes(24, 36)
    black = np.asarray(_image(_post(client, data)), np.int16)
    alpha = _image(_post(client, data, style="alpha"))
    assert alpha.mode == "RGBA"
    white = Image.new("RGBA", alpha.size, (255, 255, 255, 255))
    composited = np.asarray(Image.alpha_composite(white, alpha).convert("L"), np.int16)
    assert np.abs(composited - black).max() <= 1  # alpha on white == black within 1/255
    cn = np.asarray(_image(_post(client, data, style="controlnet")), np.int16)
    assert np.abs(cn + black - 255).max() <= 1
    fields = {"style": "alpha", "color": "#2040ff", "gamma": "0.5", "drop_below": "0.1"}
    styled = np.asarray(_image(_post(client, data, **fields)))
    want = render_array(gray_to_ink(black.astype(np.uint8)), OutputStyle("alpha", (32, 64, 255), 0.5, 0.1))
    np.testing.assert_array_equal(styled, want)
    # restyling the black result without the model gives the same file
    black_png = _post(client, data).content
    restyled = np.asarray(_image(_post(client, black_png, name="art_lines.png", url="/api/render", **fields)))
    np.testing.assert_array_equal(restyled, styled)


def test_render_refuses_bad_images(client: TestClient) -> None:
    r = _post(client, b"junk", name="x.png", url="/api/render", style="controlnet")
    assert (r.status_code, r.json()) == (
        400,
        {"error": "x.png: not an image file (unknown or unsupported format)"},
    )


def _events(response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def test_stream_reports_queue_and_tile_progress_then_the_png(tiny_extractor) -> None:
    slow = BlockingExtractor(tiles=3)
    with TestClient(create_app(slow), base_url=LOCAL) as client:
        first, _ = _in_thread(_post, client, png_bytes(10, 10), "first.png")
        assert slow.started.acquire(timeout=120)  # the worker is busy: the next image waits
        t, out = _in_thread(_post, client, png_bytes(10, 12), "a.png", "/api/extract/stream")
        _wait_for(lambda: client.get("/api/health").json()["queue"]["waiting"] == 1)
        slow.gate.release()  # the first one finishes, the streamed one starts and reports (0, 3)
        assert slow.started.acquire(timeout=120)
        time.sleep(0.6)
        slow.gate.release()
        first.join(120)
        t.join(120)
    events = _events(out["response"])
    kinds = [e["event"] for e in events]
    assert events[0] == {"event": "queued", "position": 0} and kinds[-1] == "done"
    progress = [(e["done"], e["total"]) for e in events if e["event"] == "progress"]
    assert (0, 3) in progress
    done = events[-1]
    assert (done["width"], done["height"], done["mode"], done["name"]) == (12, 10, "L", "a_lines.png")
    img = Image.open(io.BytesIO(base64.b64decode(done["png"])))
    assert img.size == (12, 10) and np.asarray(img)[:, 0].max() == 0


def test_stream_reports_a_bad_image_as_an_error_event(client: TestClient) -> None:
    events = _events(_post(client, b"nope", name="n.png", url="/api/extract/stream"))
    assert events[-1] == {
        "event": "error",
        "status": 400,
        "error": "n.png: not an image file (unknown or unsupported format)",
    }


def test_client_names_never_become_paths(client: TestClient, tmp_path: Path) -> None:
    r = _post(client, png_bytes(), name="..\\..\\dir/év;il.png")
    assert r.headers["content-disposition"] == 'attachment; filename="ev_il_lines.png"'
    r = _post(client, b"junk", name="../../../etc/passwd")
    assert r.json()["error"].startswith("passwd: not an image file")
    assert list(client.app.state.tmp_dir.iterdir()) == []


def test_temporary_folder_is_removed_at_shutdown(tiny_extractor) -> None:
    with TestClient(create_app(tiny_extractor), base_url=LOCAL) as client:
        tmp = client.app.state.tmp_dir
        assert tmp.is_dir()
        _image(_post(client, png_bytes()))
    assert not tmp.exists()


def test_page_and_its_assets_are_served_from_the_package(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert (
        'type="file"' in page.text and "http" not in page.text.replace('href="/docs"', "").split("<body>")[0]
    )
    for asset in ("/static/app.js", "/static/app.css", "/static/vendor/fflate.js"):
        assert client.get(asset).status_code == 200, asset


def test_openapi_page_documents_the_api_and_works_offline(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/extract", "/api/extract/stream", "/api/render", "/api/health"} <= set(spec["paths"])
    docs = client.get("/docs")
    assert docs.status_code == 200 and "cdn" not in docs.text.lower()
    assert client.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("clip.mp4", b"\0\0\0\x18ftypisom" + b"\0" * 64),
        ("clip.png", b"\0\0\0\x18ftypmp42" + b"\0" * 64),
        ("clip.webm", b"\x1a\x45\xdf\xa3" + b"\0" * 64),
        ("movie.MOV", png_bytes()),
        ("a.avi", b"RIFF\0\0\0\0AVI LIST" + b"\0" * 64),
    ],
)
@pytest.mark.parametrize("url", ["/api/extract", "/api/extract/stream", "/api/render", "/api/jobs"])
def test_videos_get_415_pointing_to_senga_extract(
    client: TestClient, name: str, data: bytes, url: str
) -> None:
    r = _post(client, data, name=name, url=url)
    want = f"{name}: senga serve takes images; for videos use `senga extract clip.mp4`"
    assert (r.status_code, r.json()) == (415, {"error": want})
    assert list(client.app.state.tmp_dir.iterdir()) == []
    assert client.get("/api/health").json()["queue"]["completed"] == 0


def test_favicon_is_served(client: TestClient) -> None:
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/x-icon"
    assert Image.open(io.BytesIO(r.content)).size[0] >= 16
    assert '<link rel="icon" href="/favicon.ico">' in client.get("/").text


def test_stream_starts_with_queued_even_when_a_worker_takes_the_image_at_once() -> None:
    slow = BlockingExtractor(tiles=2)
    with TestClient(create_app(slow), base_url=LOCAL) as client:
        t, out = _in_thread(_post, client, png_bytes(10, 12), "a.png", "/api/extract/stream")
        assert slow.started.acquire(timeout=120)  # running (and reported (0, 2)) before anything is read
        time.sleep(0.3)
        slow.release.set()
        t.join(120)
    events = _events(out["response"])
    assert events[0] == {"event": "queued", "position": 0}
    assert [e["event"] for e in events[1:-1]] == ["progress"] * (len(events) - 2) and events[-1][
        "event"
    ] == "done"


class _SizedExtractor:
    """Records the ``max_side`` it was asked for (an extractor that can run at a reduced size)."""

    device = "cpu"

    def __init__(self) -> None:
        self.asked: list[int | None] = []

    def predict_gray(self, rgb, progress=None, *, max_side=None):
        self.asked.append(max_side)
        return np.full(rgb.shape[:2], 255, np.uint8)


class _FullSizeExtractor:
    device = "cpu"

    def predict_gray(self, rgb, progress=None):
        return np.full(rgb.shape[:2], 255, np.uint8)


def test_max_side_reaches_an_extractor_that_supports_it() -> None:
    sized = _SizedExtractor()
    with TestClient(create_app(sized), base_url=LOCAL) as client:
        assert client.get("/api/health").json()["max_side"] is True
        assert _image(_post(client, png_bytes(), max_side="512")).size == (36, 24)
        assert _image(_post(client, png_bytes())).size == (36, 24)
        r = _post(client, png_bytes(), max_side="4")
        assert r.status_code == 400 and r.json()["error"].startswith("max_side: ")
    assert sized.asked == [512, None]


def test_max_side_is_refused_when_the_extractor_cannot_use_it() -> None:
    with TestClient(create_app(_FullSizeExtractor()), base_url=LOCAL) as client:
        assert client.get("/api/health").json()["max_side"] is False
        r = _post(client, png_bytes(), max_side="512")
        assert (r.status_code, r.json()) == (
            400,
            {"error": "max_side: this server's model cannot run at a reduced size"},
        )
        assert _image(_post(client, png_bytes())).size == (36, 24)


def test_styles_that_take_colors_from_the_input_work_through_extract_and_render(client: TestClient) -> None:
    needing = client.get("/api/health").json()["styles_need_rgb"]
    assert needing == [name for name in STYLES if OutputStyle(name).needs_rgb]
    if not needing:
        pytest.skip("no style takes its colors from the input image")
    style = needing[0]
    data = png_bytes(24, 36)
    extracted = _image(_post(client, data, style=style))
    black_png = _post(client, data).content
    r = _post(client, black_png, name="art_lines.png", url="/api/render", style=style)
    assert r.status_code == 400 and "send the input image too, as the source field" in r.json()["error"]
    r = client.post(
        "/api/render",
        data={"style": style},
        files={"image": ("art_lines.png", black_png, "image/png"), "source": ("art.png", data, "image/png")},
    )
    np.testing.assert_array_equal(np.asarray(_image(r)), np.asarray(extracted))
    r = client.post(
        "/api/render",
        data={"style": style},
        files={
            "image": ("art_lines.png", black_png, "image/png"),
            "source": ("s.png", png_bytes(8, 8), "image/png"),
        },
    )
    assert r.status_code == 400 and r.json()["error"] == "s.png: the source is 8x8, the line image 36x24"


def test_max_side_with_the_library_extractor_keeps_the_input_size(client: TestClient, tiny_extractor) -> None:
    from senga.serving.pipeline import supports_max_side

    if not supports_max_side(tiny_extractor):
        pytest.skip("LineExtractor cannot run at a reduced size")
    assert client.get("/api/health").json()["max_side"] is True
    data = png_bytes(48, 72)
    small = _image(_post(client, data, max_side="24"))
    assert small.size == (72, 48)
    rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    np.testing.assert_array_equal(np.asarray(small), tiny_extractor.predict_gray(rgb, max_side=24))


def test_a_body_longer_than_the_limit_is_cut_while_it_arrives(tiny_extractor) -> None:
    """The streaming cap: a client (or proxy) whose body outgrows its Content-Length gets 413 at the limit."""
    import asyncio

    app = create_app(tiny_extractor, ServeLimits(max_upload_bytes=5000))
    sent: list[dict] = []
    chunks = [0]

    head = b'--x\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n'

    async def receive() -> dict:  # a file part that never ends, 1000 bytes at a time
        chunks[0] += 1
        assert chunks[0] < 100, "the server kept reading past the limit"
        return {"type": "http.request", "body": head if chunks[0] == 1 else b"\0" * 1000, "more_body": True}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/extract",
        "raw_path": b"/api/extract",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-length", b"1000"),
            (b"content-type", b"multipart/form-data; boundary=x"),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    try:
        asyncio.run(app(scope, receive, send))
    finally:
        app.state.queue.close()
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert start["status"] == 413 and json.loads(body) == {
        "error": "upload is above the limit of 5,000 bytes"
    }
    assert chunks[0] == 6  # the head and 5 x 1000 bytes pass 5000: not one chunk more is read
