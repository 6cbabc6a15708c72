"""Video in, video out (senga.video, ``senga extract clip.mp4``), on tiny clips made here with PyAV."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

av = pytest.importorskip("av", reason="video needs PyAV: pip install -e '.[video]'")

from senga.cli.main import main  # noqa: E402 - after the skip
from senga.extract.style import OutputStyle, flatten_on_white, render_gray  # noqa: E402 - after the skip
from senga.video import (  # noqa: E402 - after the skip
    Clip,
    VideoError,
    VideoJob,
    decode_frames,
    extract_video,
    frame_path,
    probe,
    video_target,
)

W, H, FPS, N = 64, 48, 12, 7


def make_clip(
    path: Path, n: int = N, fps: int = FPS, codec: str = "ffv1", audio: bool = False
) -> list[np.ndarray]:
    """A clip of ``n`` frames (a moving line over a color gradient); returns the frames written."""
    container = av.open(str(path), "w")
    stream = container.add_stream(codec, rate=fps)
    stream.width, stream.height = W, H
    stream.pix_fmt = "bgr0" if codec == "ffv1" else "yuv420p"
    sound = container.add_stream("aac", rate=8000) if audio else None
    frames = []
    y, x = np.mgrid[0:H, 0:W]
    for i in range(n):
        rgb = np.stack([200 + x // 2, 180 + y, np.full_like(x, 150)], axis=2).astype(np.uint8)
        rgb[:, 5 + 6 * i : 7 + 6 * i] = (20, 20, 140)
        rgb[10 + 3 * i, :] = 0
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        frame.pts = i
        for packet in stream.encode(frame):
            container.mux(packet)
        frames.append(rgb)
    for packet in stream.encode(None):
        container.mux(packet)
    if sound is not None:
        total = 8000 * n // fps
        for k in range(0, total, 1024):
            block = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            block.sample_rate, block.pts = 8000, k
            for packet in sound.encode(block):
                container.mux(packet)
        for packet in sound.encode(None):
            container.mux(packet)
    container.close()
    return frames


class Luma:
    """A deterministic stand-in extractor: the frame's luminance, darkened where it is dark."""

    def predict_gray(self, rgb: np.ndarray, progress: object = None) -> np.ndarray:
        gray = np.asarray(Image.fromarray(rgb).convert("L"))
        return np.where(gray < 128, gray // 2, 255).astype(np.uint8)


class DiesAfter(Luma):
    def __init__(self, frames: int) -> None:
        self.left = frames

    def predict_gray(self, rgb: np.ndarray, progress: object = None) -> np.ndarray:
        self.left -= 1
        if self.left < 0:
            raise KeyboardInterrupt  # what Ctrl-C or a kill would do mid-run
        return super().predict_gray(rgb)


def test_decode_keeps_count_size_rate_and_timestamps(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mkv"
    written = make_clip(clip)
    info = probe(clip)
    assert (info.width, info.height, info.fps) == (W, H, Fraction(FPS))
    frames = list(decode_frames(clip))
    assert len(frames) == N
    assert [f.index for f in frames] == list(range(N))
    np.testing.assert_allclose([f.time for f in frames], np.arange(N) / FPS, atol=1e-3)
    for f, rgb in zip(frames, written):
        np.testing.assert_array_equal(f.rgb, rgb)  # FFV1 is lossless


@pytest.mark.parametrize("ext", [".mkv", ".mp4", ".webm", ".gif"])
def test_video_out_has_the_inputs_frame_count_size_and_rate(tmp_path: Path, ext: str) -> None:
    clip = tmp_path / "clip.mkv"
    make_clip(clip)
    job = video_target(clip, tmp_path / f"lines{ext}")
    assert extract_video(job, Luma()) == N
    info = probe(job.target)
    assert (info.width, info.height) == (W, H)
    out = list(decode_frames(job.target))
    assert len(out) == N
    # GIF delays are in 1/100 s: 1/12 s is stored as 8/100
    assert float(info.fps) == pytest.approx(FPS if ext != ".gif" else 12.5, rel=1e-3)
    expected = np.arange(N) / FPS
    np.testing.assert_allclose([f.time for f in out], expected, atol=0.011 if ext == ".gif" else 1e-3)


def test_each_output_frame_equals_the_still_extraction(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    make_clip(clip, codec="libx264")  # a lossy input: compared with its decoded frames
    decoded = [f.rgb for f in decode_frames(clip)]
    ex = Luma()
    lossless = video_target(clip, tmp_path / "lines.mkv")
    frames_dir = video_target(clip, tmp_path / "frames")
    assert frames_dir.frames_dir and not lossless.frames_dir
    extract_video(lossless, ex, batch=3)
    extract_video(frames_dir, ex, batch=3)
    video = [f.rgb for f in decode_frames(lossless.target)]
    for i, rgb in enumerate(decoded):
        still = ex.predict_gray(rgb)
        png = np.asarray(Image.open(frame_path(frames_dir, i)))
        np.testing.assert_array_equal(png, still)
        assert np.abs(video[i][..., 0].astype(int) - still).max() <= 1


def test_color_style_frames_are_the_stills_styled(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mkv"
    frames = make_clip(clip)
    style = OutputStyle("color")
    job = video_target(clip, tmp_path / "frames")
    extract_video(job, Luma(), style)
    png = Image.open(frame_path(job, 2))
    still = render_gray(Luma().predict_gray(frames[2]), style, frames[2])
    assert png.mode == "RGBA"
    np.testing.assert_array_equal(np.asarray(png), np.asarray(still))
    video = video_target(clip, tmp_path / "lines.mkv")
    extract_video(video, Luma(), style)  # a video holds no alpha: flattened on white
    got = list(decode_frames(video.target))[2].rgb
    np.testing.assert_array_equal(got, np.asarray(flatten_on_white(still)))


def test_every_start_end_pick_frames_and_keep_their_numbers(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mkv"
    make_clip(clip)
    job = video_target(clip, tmp_path / "frames")
    n = extract_video(job, Luma(), clip=Clip(start=1 / FPS, end=6 / FPS, every=2))
    assert n == 3
    assert sorted(p.name for p in job.target.iterdir()) == [f"clip_{i:06d}.png" for i in (1, 3, 5)]
    out = video_target(clip, tmp_path / "part.mkv")
    extract_video(out, Luma(), clip=Clip(start=2 / FPS, every=2))
    info = probe(out.target)
    assert float(info.fps) == pytest.approx(FPS / 2)
    times = [f.time for f in decode_frames(out.target)]
    np.testing.assert_allclose(times, [0, 2 / FPS, 4 / FPS], atol=1e-3)  # shifted to start at 0, spacing kept


def test_audio_is_copied_where_the_container_holds_it(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    make_clip(clip, codec="libx264", audio=True)
    assert probe(clip).audio == "aac"
    mp4 = video_target(clip, tmp_path / "lines.mp4")
    extract_video(mp4, Luma())
    assert probe(mp4.target).audio == "aac"
    warnings: list[str] = []
    webm = video_target(clip, tmp_path / "lines.webm")
    extract_video(webm, Luma(), on_warning=warnings.append)
    assert probe(webm.target).audio is None
    assert warnings == ["audio (aac) not copied: .webm holds opus, vorbis"]


def test_a_killed_run_leaves_no_output_file(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mkv"
    make_clip(clip)
    out = tmp_path / "out"
    out.mkdir()
    job = VideoJob(clip, out / "lines.mp4", frames_dir=False)
    with pytest.raises(KeyboardInterrupt):
        extract_video(job, DiesAfter(4), batch=2)
    assert list(out.iterdir()) == []  # neither the video nor its temporary file
    (out / "lines.mp4").write_bytes(b"older")
    with pytest.raises(KeyboardInterrupt):
        extract_video(job, DiesAfter(4), batch=2, overwrite=True)
    assert (out / "lines.mp4").read_bytes() == b"older"  # an older file survives


def test_not_a_video_and_truncated_raise_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    with pytest.raises(VideoError, match=r"notes\.mp4: not a video") as err:
        probe(bad)
    assert "\n" not in str(err.value)
    clip = tmp_path / "clip.mkv"
    make_clip(clip, n=12)
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(clip.read_bytes()[: clip.stat().st_size * 2 // 3])
    with pytest.raises(VideoError, match=r"cut\.mkv: .*truncated") as err:
        extract_video(video_target(cut, tmp_path / "cut_lines.mp4"), Luma())
    assert "\n" not in str(err.value)
    assert not (tmp_path / "cut_lines.mp4").exists()


def test_cli_batch_goes_on_through_bad_videos(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.mkv"
    make_clip(good, n=3)
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 100)
    cut = tmp_path / "cut.mp4"
    make_clip(tmp_path / "whole.mp4", n=3, codec="libx264")
    cut.write_bytes((tmp_path / "whole.mp4").read_bytes()[:500])
    rc = main(
        ["extract", str(bad), str(cut), str(good), "-o", str(tmp_path / "out"), "--backend", "onnxruntime"]
    )
    err = capsys.readouterr().err
    assert rc == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"good_{i:06d}.png" for i in range(3)]
    lines = [line for line in err.splitlines() if line.startswith("senga: ") and ".mp4:" in line]
    assert any(line.startswith(f"senga: {bad}: ") for line in lines)
    assert any(line.startswith(f"senga: {cut}: ") for line in lines)
    assert "1 written" in err and "2 failed" in err


def test_cli_writes_a_video_beside_the_input(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mkv"
    make_clip(clip, n=3)
    assert main(["extract", str(clip), "--backend", "onnxruntime", "-q"]) == 0
    out = tmp_path / "clip_lines.mkv"
    assert len(list(decode_frames(out))) == 3
    assert main(["extract", str(clip), "--backend", "onnxruntime", "-q"]) == 0  # exists: skipped


def test_cli_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clip = tmp_path / "clip.mkv"
    make_clip(clip, n=2)
    assert main(["extract", str(clip), "--engine", "ray"]) == 2
    assert "--engine ray does not take videos" in capsys.readouterr().err
    assert main(["extract", str(clip), str(clip), "-o", str(tmp_path / "x.mp4")]) == 2
    assert main(["extract", str(clip), "--start", "2", "--end", "1"]) == 2


def test_progress_counts_frames_against_the_clips_length(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mkv"
    make_clip(clip)
    calls: list[tuple[int, int]] = []
    extract_video(
        video_target(clip, tmp_path / "lines.mkv"),
        Luma(),
        batch=3,
        on_frames=lambda d, t: calls.append((d, t)),
    )
    assert calls == [(3, N), (6, N), (N, N)]
    with pytest.raises(ValueError, match="--end"):
        Clip(start=2.0, end=1.0)
