"""The I/O boundary: image files <-> uint8 RGB arrays and float ink maps.

Everything that touches image files goes through here, so the rest of the
library only sees ``(H, W, 3) uint8`` RGB arrays and ``(H, W) float32`` ink maps
(1 = black line, 0 = paper).
"""

from senga.io.atomic import atomic_write_path
from senga.io.images import (
    DEFAULT_MAX_PIXELS,
    IMAGE_EXTENSIONS,
    ImageError,
    ImageTooLargeError,
    gray_to_ink,
    ink_to_gray,
    ink_to_image,
    list_images,
    open_image,
    read_gray,
    read_ink,
    read_rgb,
    to_rgb_array,
    write_gray,
    write_image,
    write_ink,
    write_rgb,
)

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "IMAGE_EXTENSIONS",
    "ImageError",
    "ImageTooLargeError",
    "atomic_write_path",
    "gray_to_ink",
    "ink_to_gray",
    "ink_to_image",
    "list_images",
    "open_image",
    "read_gray",
    "read_ink",
    "read_rgb",
    "to_rgb_array",
    "write_gray",
    "write_image",
    "write_ink",
    "write_rgb",
]
