"""Video in, video out: line art of every frame of a clip (the ``video`` extra: PyAV).

* :mod:`senga.video.container`: probe, decode and atomically encode video files with PyAV.
* :mod:`senga.video.pipeline`: a clip through the same extractor and styles as still
  images, to a video file or a folder of PNG frames (``senga extract clip.mp4``).

Design and measurements: ``docs/video.md``. This package imports PyAV only when a
video is opened, so it can be imported without the extra.
"""

from __future__ import annotations

from senga.video.container import (
    CODECS,
    VIDEO_EXTENSIONS,
    Frame,
    VideoError,
    VideoInfo,
    VideoWriter,
    decode_frames,
    is_video_path,
    probe,
    video_available,
)
from senga.video.pipeline import Clip, VideoJob, extract_video, frame_path, video_target

__all__ = [
    "CODECS",
    "VIDEO_EXTENSIONS",
    "Clip",
    "Frame",
    "VideoError",
    "VideoInfo",
    "VideoJob",
    "VideoWriter",
    "decode_frames",
    "extract_video",
    "frame_path",
    "is_video_path",
    "probe",
    "video_available",
    "video_target",
]
