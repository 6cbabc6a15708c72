"""Video files <-> frames with PyAV (FFmpeg): probe, decode to RGB arrays, encode atomically.

The only place that opens video files (the ``video`` extra, ``pip install -e '.[video]'``).

* :func:`probe` -> :class:`VideoInfo` (size, frame rate, frame count, time base, audio).
* :func:`decode_frames` yields :class:`Frame` s, ``(H, W, 3) uint8`` RGB with
  their index and timestamp, optionally from ``start`` to ``end`` seconds and
  one in ``every``.
* :class:`VideoWriter` encodes frames to a temporary file in the target's
  folder (:func:`senga.io.atomic_write_path`) and renames it at the end, with
  the input's timestamps and, where the container holds its codec, the
  input's audio packets copied through (no re-encoding).

Codecs by container (:data:`CODECS`): ``.mkv`` FFV1 in RGB (lossless: each
decoded frame is exactly the frame written), ``.mp4`` / ``.mov`` / ``.m4v`` H.264
yuv420p CRF 17, ``.webm`` VP9 CRF 30, ``.gif`` the GIF codec (gray palette for
gray frames: lossless; 3-3-2 RGB otherwise; delays in 1/100 s, so 24 fps is
written as 25). ``.avi`` is read, not written. Lossy codecs
change pixel values (chroma subsampling, quantisation) but never the frame count,
size, rate or timestamps.

Every problem is a :class:`VideoError`, ``"PATH: problem"`` on one line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from senga.errors import SengaError, first_line
from senga.io import atomic_write_path

#: Extensions read as video (``.gif``: an animated GIF, also an image extension); written: :data:`CODECS`.
VIDEO_EXTENSIONS: tuple[str, ...] = (".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi", ".gif")

#: ``extension -> (FFmpeg format, video codec, pixel format, codec options)``.
CODECS: dict[str, tuple[str, str, str, dict[str, str]]] = {
    ".mp4": ("mp4", "libx264", "yuv420p", {"crf": "17", "preset": "medium"}),
    ".m4v": ("mp4", "libx264", "yuv420p", {"crf": "17", "preset": "medium"}),
    ".mov": ("mov", "libx264", "yuv420p", {"crf": "17", "preset": "medium"}),
    ".webm": ("webm", "libvpx-vp9", "yuv420p", {"crf": "30", "b": "0", "deadline": "good", "cpu-used": "4"}),
    ".mkv": ("matroska", "ffv1", "bgr0", {}),
    ".gif": ("gif", "gif", "rgb8", {}),
}

#: Audio codecs each container holds (copied as they are); ``None``: any.
AUDIO_CODECS: dict[str, frozenset[str] | None] = {
    ".mp4": frozenset({"aac", "mp3", "alac", "ac3", "eac3", "opus", "flac"}),
    ".m4v": frozenset({"aac", "mp3", "alac", "ac3", "eac3"}),
    ".mov": frozenset({"aac", "mp3", "alac", "ac3", "eac3", "pcm_s16le", "pcm_s24le", "pcm_f32le"}),
    ".webm": frozenset({"opus", "vorbis"}),
    ".mkv": None,
    ".gif": frozenset(),
}


class VideoError(SengaError):
    """A file cannot be used as a video. ``str(err)`` is ``"PATH: problem"``."""


def _av() -> Any:
    try:
        import av
    except ImportError:
        raise ValueError("video needs PyAV, which is not installed: pip install -e '.[video]'") from None
    return av


def video_available() -> bool:
    """True when PyAV is installed."""
    try:
        import av  # noqa: F401 - the question is whether it imports
    except ImportError:
        return False
    return True


def is_video_path(path: str | os.PathLike[str]) -> bool:
    """True for a video extension; a ``.gif`` only when it is animated (more than one frame)."""
    suffix = Path(path).suffix.lower()
    if suffix not in VIDEO_EXTENSIONS:
        return False
    if suffix != ".gif":
        return True
    from PIL import Image

    try:
        with Image.open(path) as img:
            return int(getattr(img, "n_frames", 1)) > 1
    except (OSError, ValueError):
        return False


@dataclass(frozen=True)
class VideoInfo:
    """What :func:`probe` found.

    Attributes:
        width, height: frame size in pixels.
        fps: average frame rate (frames per second, exact fraction).
        frames: frame count the container states (0 when it states none, e.g. Matroska).
        estimated_frames: ``frames``, else duration x fps (for progress bars).
        time_base: unit of the video stream's timestamps, seconds.
        start: first timestamp, seconds.
        duration: seconds (0 when unknown).
        audio: codec name of the first audio stream, ``None`` when there is none.
    """

    width: int
    height: int
    fps: Fraction
    frames: int
    estimated_frames: int
    time_base: Fraction
    start: float
    duration: float
    audio: str | None


@dataclass(frozen=True)
class Frame:
    """One decoded frame: ``index`` in the source (0-based), ``pts`` in the stream's time base,
    ``time`` in seconds, ``rgb`` ``(H, W, 3) uint8``."""

    index: int
    pts: int
    time: float
    rgb: np.ndarray


def _open(path: Path) -> Any:
    av = _av()
    if not path.exists():
        raise VideoError(path, "no such file")
    if path.is_file() and path.stat().st_size == 0:
        raise VideoError(path, "empty file (0 bytes)")
    try:
        container = av.open(str(path), "r")
    except (av.FFmpegError, OSError, ValueError) as err:
        raise VideoError(path, f"not a video or truncated ({_why(err)})") from None
    if not container.streams.video:
        container.close()
        raise VideoError(path, "no video stream in this file")
    return container


def probe(path: str | os.PathLike[str]) -> VideoInfo:
    """Size, frame rate, frame count, time base and audio of a video file.

    Raises:
        VideoError: no such file, not a video, no video stream.
    """
    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.base_rate or stream.guessed_rate
        if not rate:
            raise VideoError(path, "the video stream has no frame rate")
        fps = Fraction(rate)
        tb = Fraction(stream.time_base) if stream.time_base else Fraction(1, 1000)
        if stream.duration is not None:
            duration = float(stream.duration * tb)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        else:
            duration = 0.0
        frames = int(stream.frames)
        estimated = frames or round(duration * fps)
        start = float(stream.start_time * tb) if stream.start_time is not None else 0.0
        audio = container.streams.audio[0].codec_context.name if container.streams.audio else None
        width, height = stream.codec_context.width, stream.codec_context.height
    finally:
        container.close()
    if width <= 0 or height <= 0:
        raise VideoError(path, "the video stream has no frame size")
    return VideoInfo(width, height, fps, frames, estimated, tb, start, duration, audio)


def decode_frames(
    path: str | os.PathLike[str], start: float | None = None, end: float | None = None, every: int = 1
) -> Iterator[Frame]:
    """Decode a video's frames as RGB, in order.

    Args:
        path: the video file.
        start, end: keep frames with ``start <= time < end`` (seconds from the
            stream's first timestamp, within half a frame; ``None``: from the first / to the last).
        every: keep one frame in ``every`` (of those in the range; the first is kept).

    Raises:
        VideoError: not a video, or decoding fails part way (a truncated file).
    """
    if every < 1:
        raise ValueError(f"every must be >= 1, got {every}")
    av = _av()
    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        tb = Fraction(stream.time_base) if stream.time_base else Fraction(1, 1000)
        rate = stream.average_rate or stream.guessed_rate
        eps = (
            0.5 / float(rate) if rate else 1e-6
        )  # half a frame: timestamps rounded by the container still match
        first: int | None = None
        index = kept = 0
        stopped = False  # left at --end: the rest of the stream was not read
        try:
            for frame in container.decode(stream):
                pts = frame.pts if frame.pts is not None else index
                if first is None:
                    first = pts
                t = float((pts - first) * tb)
                i = index
                index += 1
                if start is not None and t < start - eps:
                    continue
                if end is not None and t >= end - eps:
                    stopped = True
                    break
                kept += 1
                if (kept - 1) % every:
                    continue
                yield Frame(i, pts, t, frame.to_ndarray(format="rgb24"))
        except av.FFmpegError as err:
            raise VideoError(path, f"cannot decode frame {index} (truncated? {_why(err)})") from None
        else:  # the whole stream was read: fewer frames than the container states is a truncated file
            stated = int(stream.frames) or _frames_from_duration(container, stream)
            if not stopped and stated > 0 and index < stated - max(2, stated // 50):
                raise VideoError(path, f"truncated: decoded {index} of {stated} frames")
        if index == 0:
            raise VideoError(path, "no frame could be decoded (truncated or empty video)")
    finally:
        container.close()


def _why(err: BaseException) -> str:
    """FFmpeg's own words for an error, without errno and file name."""
    text = getattr(err, "strerror", None)
    return str(text) if text else first_line(err)


def _frames_from_duration(container: Any, stream: Any) -> int:
    """Frames the container's duration implies (0 when it states none)."""
    rate = stream.average_rate or stream.guessed_rate
    if container.duration is None or not rate:
        return 0
    return int(container.duration / 1_000_000 * float(rate))


class VideoWriter:
    """Encode frames into ``target`` atomically (a context manager).

    The file appears, complete, only when the ``with`` block ends without an
    exception; otherwise the temporary file is removed and ``target`` (if it
    existed) is untouched.

    Args:
        target: output path; its extension picks the container and codec (:data:`CODECS`).
        width, height: frame size.
        fps: frame rate of the output (the input's divided by ``--every``).
        time_base: unit of the timestamps given to :meth:`write` (the input stream's).
        audio_from: a video whose first audio stream is copied (``None``: no audio).
        audio_start, audio_end: the part of that audio to copy (seconds from its start),
            shifted so that ``audio_start`` is time 0.
        on_warning: gets one line when audio cannot be copied.

    Example::

        with VideoWriter("out.mkv", 64, 48, Fraction(24), Fraction(1, 24)) as w:
            w.write(rgb, pts=0)
    """

    def __init__(
        self,
        target: str | os.PathLike[str],
        width: int,
        height: int,
        fps: Fraction,
        time_base: Fraction,
        audio_from: str | os.PathLike[str] | None = None,
        audio_start: float = 0.0,
        audio_end: float | None = None,
        on_warning: Any = None,
    ) -> None:
        self.target = Path(target)
        suffix = self.target.suffix.lower()
        if suffix not in CODECS:
            raise VideoError(self.target, f"unknown video extension {suffix!r} (use {', '.join(CODECS)})")
        self.format, self.codec, self.pix_fmt, self.options = CODECS[suffix]
        if self.pix_fmt == "yuv420p" and (width % 2 or height % 2):
            self.pix_fmt = "yuv444p"  # 4:2:0 needs even sides
        self.width, self.height, self.fps, self.time_base = width, height, Fraction(fps), Fraction(time_base)
        self.audio_from = Path(audio_from) if audio_from is not None else None
        self.audio_start, self.audio_end = audio_start, audio_end
        self.on_warning = on_warning
        self.frames = 0
        self._atomic: Any = None
        self._container: Any = None
        self._stream: Any = None
        self._gray: bool | None = None

    def __enter__(self) -> VideoWriter:
        av = _av()
        self._atomic = atomic_write_path(self.target)
        tmp = self._atomic.__enter__()
        try:
            self._container = av.open(str(tmp), "w", format=self.format)
        except BaseException:
            self._atomic.__exit__(*_exc_info())
            raise
        return self

    def _open_stream(self, gray: bool) -> None:
        stream = self._container.add_stream(self.codec, rate=self.fps)
        stream.width, stream.height = self.width, self.height
        self._gray = gray and self.codec == "gif"
        stream.pix_fmt = "gray" if self._gray else self.pix_fmt
        stream.codec_context.time_base = self.time_base if self.codec != "gif" else Fraction(1, 100)
        stream.time_base = stream.codec_context.time_base
        stream.options = dict(self.options)
        self._stream = stream
        self._add_audio_stream()

    def write(self, image: np.ndarray, pts: int) -> None:
        """Encode one frame: ``(H, W) uint8`` gray or ``(H, W, 3) uint8`` RGB, at ``pts`` (in ``time_base``)."""
        av = _av()
        image = np.ascontiguousarray(image)
        if image.shape[:2] != (self.height, self.width) or image.dtype != np.uint8:
            raise ValueError(
                f"frame must be ({self.height}, {self.width}[, 3]) uint8, got {image.shape} {image.dtype}"
            )
        if self._stream is None:
            self._open_stream(gray=image.ndim == 2)
        if image.ndim == 2 and not self._gray:
            image = np.repeat(image[..., None], 3, axis=2)
        elif image.ndim == 3 and self._gray:
            image = image[..., 0]
        frame = av.VideoFrame.from_ndarray(image, format="gray" if image.ndim == 2 else "rgb24")
        frame.pts = int(pts)
        frame.time_base = self.time_base
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames += 1

    def _add_audio_stream(self) -> None:
        """Open the audio source and add its stream (before the first packet: the header names it)."""
        self._audio_source = self._audio_out = None
        if self.audio_from is None:
            return
        source = _av().open(str(self.audio_from), "r")
        if not source.streams.audio:
            source.close()
            return
        audio = source.streams.audio[0]
        name = audio.codec_context.name
        allowed = AUDIO_CODECS[self.target.suffix.lower()]
        if allowed is not None and name not in allowed:
            source.close()
            if self.on_warning is not None:
                holds = ", ".join(sorted(allowed)) or "no audio"
                self.on_warning(f"audio ({name}) not copied: {self.target.suffix} holds {holds}")
            return
        self._audio_source = source
        self._audio_out = self._container.add_stream_from_template(audio)

    def _copy_audio(self) -> None:
        """Copy the audio packets in ``[audio_start, audio_end)``, shifted to start at 0."""
        source, out = self._audio_source, self._audio_out
        if source is None:
            return
        try:
            audio = source.streams.audio[0]
            tb = audio.time_base
            first: int | None = None
            shift = round(self.audio_start / tb)
            for packet in source.demux(audio):
                if packet.pts is None or packet.dts is None:
                    continue
                if first is None:
                    first = packet.pts
                t = float((packet.pts - first) * tb)
                if t < self.audio_start - 1e-9:
                    continue
                if self.audio_end is not None and t >= self.audio_end - 1e-9:
                    break
                packet.pts -= first + shift
                packet.dts -= first + shift
                packet.stream = out
                self._container.mux(packet)
        finally:
            source.close()

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if kind is None:
                if self._stream is None:
                    raise VideoError(self.target, "no frames to write (the range or --every keeps none)")
                for packet in self._stream.encode(None):
                    self._container.mux(packet)
                self._copy_audio()  # the muxer interleaves by timestamp
        except BaseException:
            self._close()
            self._atomic.__exit__(*_exc_info())
            raise
        self._close()
        self._atomic.__exit__(kind, err, tb)

    def _close(self) -> None:
        source = getattr(self, "_audio_source", None)
        if source is not None:
            self._audio_source = None
            source.close()
        if self._container is not None:
            container, self._container = self._container, None
            container.close()


def _exc_info() -> tuple[Any, Any, Any]:
    import sys

    return sys.exc_info()
