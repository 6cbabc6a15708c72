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

pytest.importorskip("fastapi", reason="the serve extra is not installed (pip install 'senga[serve]')")
pytest.importorskip("fastapi_offline", reason="the serve extra is not installed (pip install 'senga[serve]')")

from serving_helpers import BlockingExtractor, png_bytes
from fastapi.testclient import TestClient
from PIL import Image

from senga.extract.style import OutputStyle, render_array
from senga.io import gray_to_ink
from senga.serving import ServeLimits, create_app


@pytest.fixture
def client(tiny_extractor) -> Iterator[TestClient]:
    with TestClient(create_app(tiny_extractor, model="tiny")) as c:
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
    assert h["styles"] == ["black", "alpha", "controlnet"]
    assert h["queue"] == {"waiting": 0, "running": 0, "capacity": 8, "workers": 1, "completed": 0,
                          "failed": 0, "rejected": 0}  # fmt: skip
    assert h["limits"]["max_pixels"] == 64_000_000 and h["limits"]["max_upload_bytes"] == 64 * 2**20


def test_good_image_gives_the_extractors_line_art_at_the_same_size(client: TestClient, tiny_extractor) -> None:
    data = png_bytes(24, 36)
    r = _post(client, data, name="My Art.png")
    img = _image(r)
    assert (img.mode, img.size) == ("L", (36, 24))
    rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    np.testing.assert_array_equal(np.asarray(img), tiny_extractor.predict_gray(rgb))
    assert r.headers["content-disposition"] == 'attachment; filename="My Art_lines.png"'
    assert r.headers["x-image-size"] == "36x24"


@pytest.mark.parametrize(("fmt", "mode"), [("JPEG", "RGB"), ("WEBP", "RGB"), ("TIFF", "RGB"), ("GIF", "P"),
                                           ("PNG", "RGBA"), ("PNG", "L"), ("BMP", "RGB")])  # fmt: skip
def test_common_formats_are_accepted(client: TestClient, fmt: str, mode: str) -> None:
    img = _image(_post(client, png_bytes(20, 30, mode=mode, fmt=fmt), name=f"x.{fmt.lower()}"))
    assert img.size == (30, 20)


def _truncated() -> bytes:
    data = png_bytes(64, 64)
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"this is not an image", "notes.png", "notes.png: not an image file (unknown or unsupported format)"),
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
        ({"style": "sepia"}, "style: unknown style 'sepia' (choose from black, alpha, controlnet)"),
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
    with TestClient(create_app(tiny_extractor, limits)) as client:
        r = _post(client, b"\0" * 5000, name="big.png")
        assert r.status_code == 413
        assert r.json()["error"].startswith("upload is ") and "above the limit of 2,000" in r.json()["error"]
        assert list(client.app.state.tmp_dir.iterdir()) == []
        assert _post(client, png_bytes(8, 8)).status_code == 200


def test_image_above_the_pixel_limit_gets_413(tiny_extractor) -> None:
    with TestClient(create_app(tiny_extractor, ServeLimits(max_pixels=500))) as client:
        r = _post(client, png_bytes(30, 40), name="wide.png")
        assert r.status_code == 413
        assert r.json()["error"].startswith("wide.png: image is 40x30 = 1,200 pixels, above the limit of 500")
        assert _image(_post(client, png_bytes(10, 20))).size == (20, 10)


def test_upload_without_content_length_gets_411(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"--x\r\n"

    r = client.post("/api/extract", content=chunks(), headers={"content-type": "multipart/form-data; boundary=x"})
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
    with TestClient(create_app(slow, ServeLimits(queue_size=1, workers=1))) as client:
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
    with TestClient(create_app(tiny_extractor, ServeLimits(queue_size=8))) as client:
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

    with TestClient(create_app(Flaky())) as client:
        r = _post(client, png_bytes(), name="a.png")
        assert (r.status_code, r.json()) == (500, {"error": "a.png: extraction failed (RuntimeError: out of memory)"})
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
    assert (r.status_code, r.json()) == (400, {"error": "x.png: not an image file (unknown or unsupported format)"})


def _events(response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def test_stream_reports_queue_and_tile_progress_then_the_png(tiny_extractor) -> None:
    slow = BlockingExtractor(tiles=3)
    with TestClient(create_app(slow)) as client:
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
    assert events[-1] == {"event": "error", "status": 400,
                          "error": "n.png: not an image file (unknown or unsupported format)"}  # fmt: skip


def test_client_names_never_become_paths(client: TestClient, tmp_path: Path) -> None:
    r = _post(client, png_bytes(), name="..\\..\\dir/év;il.png")
    assert r.headers["content-disposition"] == 'attachment; filename="ev_il_lines.png"'
    r = _post(client, b"junk", name="../../../etc/passwd")
    assert r.json()["error"].startswith("passwd: not an image file")
    assert list(client.app.state.tmp_dir.iterdir()) == []


def test_temporary_folder_is_removed_at_shutdown(tiny_extractor) -> None:
    with TestClient(create_app(tiny_extractor)) as client:
        tmp = client.app.state.tmp_dir
        assert tmp.is_dir()
        _image(_post(client, png_bytes()))
    assert not tmp.exists()


def test_page_and_its_assets_are_served_from_the_package(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'type="file"' in page.text and "http" not in page.text.replace('href="/docs"', "").split("<body>")[0]
    for asset in ("/static/app.js", "/static/app.css", "/static/vendor/fflate.js"):
        assert client.get(asset).status_code == 200, asset


def test_openapi_page_documents_the_api_and_works_offline(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/extract", "/api/extract/stream", "/api/render", "/api/health"} <= set(spec["paths"])
    docs = client.get("/docs")
    assert docs.status_code == 200 and "cdn" not in docs.text.lower()
    assert client.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200
