"""Line art of a video: decode -> the same extractor and style as stills -> encode (or PNG frames).

Naming (:func:`video_target`): no ``OUT``: ``NAME_lines.EXT`` beside the input
(``.avi`` inputs: ``NAME_lines.mp4``); ``OUT`` with a video extension
(:data:`~senga.video.container.CODECS`): that file; any other ``OUT``: a folder of
PNG frames ``OUT/NAME_NNNNNN.png`` (``NNNNNN`` = the frame's index in the
input, so ``--every`` and ``--start`` keep the numbering).

Frames go through the pipeline in batches of ``batch`` frames: a thread decodes
the next batch while the model runs on this one, and another encodes and writes
the previous one, so decoding and encoding overlap the model. Each frame's
line art is exactly ``extractor.predict_gray(frame)`` styled by
:func:`senga.extract.style.render_gray`, as for a still image; video files
flatten RGBA styles (alpha, color) on white (:func:`~senga.extract.style.flatten_on_white`),
PNG frames keep them.

A video file is written through a temporary file renamed at the end
(:class:`~senga.video.container.VideoWriter`): an interrupted run leaves no
output. PNG frames are each written atomically, and existing frames are kept
(not redone) unless ``overwrite``, so an interrupted run resumes.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from senga.batch.runner import write_styled
from senga.extract.extractor import Extractor
from senga.extract.style import OutputStyle, flatten_on_white, render_gray
from senga.video.container import CODECS, Frame, VideoError, VideoWriter, decode_frames, probe

#: Suffix of outputs written beside their input (no ``OUT``), as for images.
SIDE_SUFFIX: str = "_lines"
#: Frames per batch handed from decoding to the model to encoding.
DEFAULT_FRAME_BATCH: int = 8

#: ``on_frames(done, total)`` after each batch (``total`` is an estimate from the container).
FramesFn = Callable[[int, int], None]


@dataclass(frozen=True)
class VideoJob:
    """One input video and where its line art goes: a video file, or a folder of PNG frames."""

    source: Path
    target: Path
    frames_dir: bool


@dataclass(frozen=True)
class Clip:
    """The part of a clip to process: ``start <= t < end`` seconds, one frame in ``every``."""

    start: float | None = None
    end: float | None = None
    every: int = 1

    def __post_init__(self) -> None:
        if self.every < 1:
            raise ValueError(f"--every must be >= 1, got {self.every}")
        if self.start is not None and self.start < 0:
            raise ValueError(f"--start must be >= 0 seconds, got {self.start}")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError(f"--end ({self.end}) must be after --start ({self.start})")


def video_target(source: Path, out: str | os.PathLike[str] | None, several: bool = False) -> VideoJob:
    """Where the line art of ``source`` goes (rules in the module doc).

    Raises:
        ValueError: ``out`` is a video file but there are ``several`` inputs, or
            the target would be the input itself.
    """
    if out is None:
        suffix = source.suffix.lower() if source.suffix.lower() in CODECS else ".mp4"
        job = VideoJob(source, source.parent / f"{source.stem}{SIDE_SUFFIX}{suffix}", False)
    else:
        out_path = Path(out)
        if out_path.suffix.lower() in CODECS and not out_path.is_dir():
            if several:
                raise ValueError(f"-o {out_path}: a video file takes exactly one input; use a folder")
            job = VideoJob(source, out_path, False)
        else:
            job = VideoJob(source, out_path, True)
    if not job.frames_dir and job.target.resolve() == source.resolve():
        raise VideoError(source, f"output {job.target} would overwrite the input; choose another -o")
    return job


def frame_path(job: VideoJob, index: int) -> Path:
    """``OUT/NAME_NNNNNN.png`` of frame ``index`` (PNG frames targets)."""
    return job.target / f"{job.source.stem}_{index:06d}.png"


def _batches(frames: Iterator[Frame], size: int) -> Iterator[list[Frame]]:
    batch: list[Frame] = []
    for frame in frames:
        batch.append(frame)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _prefetched(batches: Iterator[list[Frame]], depth: int = 1) -> Iterator[list[Frame]]:
    """Decode the next batch on a thread while the caller works on this one."""
    q: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        q.put(("batch", batch), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(("end", None))
        except BaseException as err:  # noqa: BLE001 - handed to the consumer, which raises it
            q.put(("error", err))

    thread = threading.Thread(target=produce, name="senga-video-decode", daemon=True)
    thread.start()
    try:
        while True:
            kind, item = q.get()
            if kind == "end":
                return
            if kind == "error":
                assert isinstance(item, BaseException)
                raise item
            assert isinstance(item, list)
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.1)


def styled_frame(gray: np.ndarray, style: OutputStyle | None, rgb: np.ndarray) -> np.ndarray:
    """The frame a video file gets: ``(H, W)`` gray, or ``(H, W, 3)`` RGB with alpha flattened on white."""
    if style is None or style.is_identity:
        return gray
    img = render_gray(gray, style, rgb)
    if img.mode == "L":
        return np.asarray(img)
    return np.asarray(flatten_on_white(img))


def expected_frames(total: int, clip: Clip, fps: float) -> int:
    """How many frames ``clip`` keeps of ``total`` (an estimate for the progress bar)."""
    first = 0 if clip.start is None else min(total, round(clip.start * fps))
    last = total if clip.end is None else min(total, round(clip.end * fps))
    return max(0, -(-(last - first) // clip.every))


def extract_video(
    job: VideoJob,
    extractor: Extractor,
    style: OutputStyle | None = None,
    clip: Clip | None = None,
    overwrite: bool = False,
    batch: int = DEFAULT_FRAME_BATCH,
    on_frames: FramesFn | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> int:
    """Extract the line art of every kept frame of ``job.source`` and write it to ``job.target``.

    Args:
        job: from :func:`video_target`.
        extractor: anything with ``predict_gray(rgb, progress) -> (H, W) uint8``.
        style: output style (``None``: black lines on white).
        clip: part of the clip (``None``: all of it).
        overwrite: replace an existing video / existing PNG frames (else they are kept).
        batch: frames per batch (>= 1).
        on_frames: progress, ``on_frames(done, total)``.
        on_warning: gets one line for things that do not stop the job (audio not copied).

    Returns:
        The number of frames written.

    Raises:
        VideoError: the input is not a video, is truncated, or keeps no frame.
    """
    if batch < 1:
        raise ValueError(f"batch must be >= 1, got {batch}")
    clip = clip or Clip()
    info = probe(job.source)
    total = expected_frames(info.estimated_frames, clip, float(info.fps))
    frames = _prefetched(_batches(decode_frames(job.source, clip.start, clip.end, clip.every), batch))
    done = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="senga-video-write") as pool:
        pending: list[Future[None]] = []

        def drain(keep: int) -> None:
            while len(pending) > keep:
                pending.pop(0).result()

        if job.frames_dir:
            for frames_batch in frames:
                grays: list[np.ndarray | None] = []
                for frame in frames_batch:
                    path = frame_path(job, frame.index)
                    if path.exists() and not overwrite:
                        grays.append(None)
                        continue
                    grays.append(extractor.predict_gray(frame.rgb))
                drain(1)
                pending.append(pool.submit(_write_pngs, job, frames_batch, grays, style))
                done += len(frames_batch)
                if on_frames is not None:
                    on_frames(done, max(total, done))
            drain(0)
            if done == 0:
                raise VideoError(job.source, "no frames in the range (--start / --end / --every keep none)")
            return done

        fps = info.fps / clip.every
        with VideoWriter(
            job.target,
            info.width,
            info.height,
            fps,
            info.time_base,
            audio_from=job.source,
            audio_start=clip.start or 0.0,
            audio_end=clip.end,
            on_warning=on_warning,
        ) as writer:
            pts0: int | None = None
            try:
                for frames_batch in frames:
                    if pts0 is None:
                        pts0 = frames_batch[0].pts
                    outs = [styled_frame(extractor.predict_gray(f.rgb), style, f.rgb) for f in frames_batch]
                    drain(1)
                    pending.append(pool.submit(_encode, writer, frames_batch, outs, pts0))
                    done += len(frames_batch)
                    if on_frames is not None:
                        on_frames(done, max(total, done))
                drain(0)
            except BaseException:
                wait(
                    pending
                )  # the writer is closed (and its file removed) only once no frame is being encoded
                raise
    return done


def _encode(writer: VideoWriter, frames: list[Frame], outs: list[np.ndarray], pts0: int) -> None:
    for frame, out in zip(frames, outs):
        writer.write(out, frame.pts - pts0)


def _write_pngs(
    job: VideoJob, frames: list[Frame], grays: list[np.ndarray | None], style: OutputStyle | None
) -> None:
    for frame, gray in zip(frames, grays):
        if gray is None:
            continue
        write_styled(frame_path(job, frame.index), gray, style, frame.rgb)
