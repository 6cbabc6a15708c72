"""Pad an image batch to a size the network accepts, and crop the result back.

Reflection keeps white paper white at the border (docs/paper.md, "Network"). Torch's
reflect padding needs ``pad < size``, so large pads on small images are done in
several reflect steps, and a side of size 1 (nothing to reflect) is replicated.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

Padding = tuple[int, int, int, int]  # (left, right, top, bottom), as F.pad takes it


def padded_size(size: int, multiple: int, minimum: int = 1) -> int:
    """Smallest multiple of ``multiple`` that is >= ``max(size, minimum)``."""
    target = max(size, minimum)
    return -(-target // multiple) * multiple


def _reflect_pad_axis(x: torch.Tensor, before: int, after: int, axis: int) -> torch.Tensor:
    """Pad ``x`` (N, C, H, W) along ``axis`` (2 = H, 3 = W) by mirror steps of < size each."""
    while before > 0 or after > 0:
        size = x.shape[axis]
        if size == 1:
            pads = (before, after)
            mode = "replicate"
            before = after = 0
        else:
            b, a = min(before, size - 1), min(after, size - 1)
            pads = (b, a)
            mode = "reflect"
            before, after = before - b, after - a
        full = (*pads, 0, 0) if axis == 3 else (0, 0, *pads)
        x = F.pad(x, full, mode=mode)
    return x


def pad_to_multiple(x: torch.Tensor, multiple: int, minimum: int = 1) -> tuple[torch.Tensor, Padding]:
    """Reflect-pad ``x`` so height and width are multiples of ``multiple`` (and >= ``minimum``).

    The padding is split evenly between the two sides (the extra pixel goes
    after), so the content sits in the middle of the padded canvas.

    Args:
        x: ``(N, C, H, W)`` tensor.
        multiple: required divisor of the padded height and width.
        minimum: smallest padded height and width.

    Returns:
        ``(padded, (left, right, top, bottom))``; :func:`crop_padding` undoes it.
    """
    h, w = x.shape[-2:]
    ph = padded_size(h, multiple, minimum) - h
    pw = padded_size(w, multiple, minimum) - w
    pad = (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2)
    if ph:
        x = _reflect_pad_axis(x, pad[2], pad[3], axis=2)
    if pw:
        x = _reflect_pad_axis(x, pad[0], pad[1], axis=3)
    return x, pad


def crop_padding(x: torch.Tensor, pad: Padding) -> torch.Tensor:
    """Remove ``pad`` (as returned by :func:`pad_to_multiple`) from ``x`` (N, C, H, W)."""
    left, right, top, bottom = pad
    h, w = x.shape[-2:]
    return x[..., top : h - bottom, left : w - right]
