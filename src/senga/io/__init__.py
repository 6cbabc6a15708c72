"""The I/O boundary: image files <-> uint8 RGB arrays and float ink maps.

Everything that touches image files goes through here, so the rest of the
library only sees ``(H, W, 3) uint8`` RGB arrays and ``(H, W) float32`` ink maps
(1 = black line, 0 = paper).
"""

from __future__ import annotations

from senga.io.atomic import atomic_write_path, clean_stale_temporaries, fsync_dir
from senga.io.images import (
    DEFAULT_MAX_PIXELS,
    IMAGE_EXTENSIONS,
    FolderListing,
    ImageError,
    ImageTooLargeError,
    gray_to_ink,
    ink_to_gray,
    ink_to_image,
    list_images,
    not_regular_problem,
    open_image,
    read_gray,
    read_ink,
    read_rgb,
    scan_folder,
    special_kind,
    to_rgb_array,
    write_gray,
    write_image,
    write_ink,
    write_rgb,
)
from senga.io.outputs import OutputError, OutputGuard, resolve_path, spelled_like

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "IMAGE_EXTENSIONS",
    "FolderListing",
    "ImageError",
    "ImageTooLargeError",
    "OutputError",
    "OutputGuard",
    "atomic_write_path",
    "clean_stale_temporaries",
    "fsync_dir",
    "gray_to_ink",
    "ink_to_gray",
    "ink_to_image",
    "list_images",
    "not_regular_problem",
    "open_image",
    "read_gray",
    "read_ink",
    "read_rgb",
    "resolve_path",
    "scan_folder",
    "special_kind",
    "spelled_like",
    "to_rgb_array",
    "write_gray",
    "write_image",
    "write_ink",
    "write_rgb",
]
