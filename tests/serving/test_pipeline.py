"""Names, style fields and limits of the serving pipeline (no HTTP)."""

from __future__ import annotations

import pytest

from senga.extract.style import STYLES, OutputStyle
from senga.serving.limits import ServeLimits
from senga.serving.pipeline import RequestError, display_name, download_name, parse_style


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("art.png", "art.png"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\a b.jpg", "a b.jpg"),
        ("bad\x00\r\nname.png", "badname.png"),
        ("", "upload"),
        (None, "upload"),
        ("x" * 300, "x" * 120),
    ],
)
def test_display_name_keeps_only_a_printable_last_part(raw, shown) -> None:
    assert display_name(raw) == shown


@pytest.mark.parametrize(
    ("name", "out"),
    [
        ("art.png", "art_lines.png"),
        ("My Art.JPG", "My Art_lines.png"),
        ('é"; rm -rf.png', "e__ rm -rf_lines.png"),
        ("..png", "png_lines.png"),
        ("...", "image_lines.png"),
        ("日本.png", "image_lines.png"),
    ],
)
def test_download_name_is_safe_ascii(name: str, out: str) -> None:
    assert download_name(name) == out


def test_parse_style_defaults_and_fields() -> None:
    assert parse_style() == OutputStyle()
    assert parse_style("alpha", "#ff0000", "0.5", "0.1") == OutputStyle("alpha", (255, 0, 0), 0.5, 0.1)
    assert parse_style("controlnet", "", "", "") == OutputStyle("controlnet")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("sepia",), f"style: unknown style 'sepia' (choose from {', '.join(STYLES)})"),
        (("black", None, "x"), "style gamma: expected a number, got 'x'"),
        (("black", None, None, "2"), "style drop_below: must be in [0, 1), got 2.0"),
    ],
)
def test_parse_style_errors_are_400(args, message: str) -> None:
    with pytest.raises(RequestError) as info:
        parse_style(*args)
    assert (info.value.status, info.value.message) == (400, message)


def test_limits_are_validated() -> None:
    assert ServeLimits().queue_size == 8
    with pytest.raises(ValueError, match="serve limit workers: must be an integer >= 1, got 0"):
        ServeLimits(workers=0)


@pytest.mark.parametrize(
    ("name", "head", "video"),
    [
        ("a.mp4", b"", True),
        ("A.MKV", b"", True),
        ("a.png", b"\0\0\0\x18ftypmp42", True),
        ("a.avif", b"\0\0\0\x1cftypavif", False),
        ("a.heic", b"\0\0\0\x18ftypheic", False),
        ("a.png", b"\x89PNG\r\n\x1a\n", False),
        ("a.gif", b"GIF89a", False),
        ("x", b"RIFF\0\0\0\0AVI ", True),
        ("x", b"RIFF\0\0\0\0WEBPVP8 ", False),
    ],
)
def test_videos_are_told_from_images(name: str, head: bytes, video: bool) -> None:
    from senga.serving.pipeline import looks_like_video

    assert looks_like_video(name, head) is video


def test_styles_that_need_the_input_get_its_rgb(tmp_path, monkeypatch) -> None:
    import numpy as np
    from PIL import Image

    from senga.serving import pipeline

    rgb = np.zeros((6, 8, 3), np.uint8)
    rgb[..., 0] = 200
    path = tmp_path / "in.png"
    Image.fromarray(rgb).save(path)
    seen: dict = {}

    def fake_render_gray(gray, style, rgb=None):
        seen["rgb"] = rgb
        return Image.fromarray(gray)

    class ColorStyle:  # what OutputStyle("color") will be: needs_rgb
        needs_rgb = True
        name = "color"

    class Flat:
        def predict_gray(self, image, progress=None):
            return np.full(image.shape[:2], 255, np.uint8)

    monkeypatch.setattr(pipeline, "render_gray", fake_render_gray)
    pipeline.extract_file(Flat(), path, "in.png", ColorStyle(), 10_000)  # type: ignore[arg-type]  # a stand-in extractor and style
    np.testing.assert_array_equal(seen["rgb"], rgb)
    lines = tmp_path / "lines.png"
    Image.fromarray(np.full((6, 8), 255, np.uint8)).save(lines)
    seen.clear()
    pipeline.restyle_file(lines, "lines.png", ColorStyle(), 10_000, source=path)  # type: ignore[arg-type]  # a stand-in style
    np.testing.assert_array_equal(seen["rgb"], rgb)
    with pytest.raises(RequestError, match="style color: send the input image too, as the source field"):
        pipeline.restyle_file(lines, "lines.png", ColorStyle(), 10_000)  # type: ignore[arg-type]  # a stand-in style
    seen.clear()
    pipeline.extract_file(Flat(), path, "in.png", OutputStyle(), 10_000)
    assert seen["rgb"] is None  # the styles of today get no rgb argument


def test_security_settings_for_a_bind_address() -> None:
    pytest.importorskip("starlette", reason="the serve extra is not installed (pip install -e '.[serve]')")
    from senga.serving.security import ServeSecurity, normalize_origin

    assert ServeSecurity.for_bind("127.0.0.1").hosts == ("127.0.0.1", "localhost", "[::1]")
    assert ServeSecurity.for_bind("::1").hosts == ("127.0.0.1", "localhost", "[::1]")
    assert ServeSecurity.for_bind("192.168.1.5").hosts[-1] == "192.168.1.5"
    assert ServeSecurity.for_bind("fe80::1").hosts[-1] == "[fe80::1]"
    assert ServeSecurity.for_bind("0.0.0.0").hosts[-1] == "*"
    assert ServeSecurity.for_bind("0.0.0.0", allow_hosts=["Box.lan"]).hosts[-1] == "box.lan"
    assert normalize_origin("HTTP://Example.org:8080/") == "http://example.org:8080"
    with pytest.raises(ValueError, match="expected an origin like"):
        normalize_origin("http://example.org/app")
    assert "secret-value" not in repr(ServeSecurity(token="secret-value"))  # never in a log
