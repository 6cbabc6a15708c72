"""A small synthetic drawing for classical-method tests: colored fills with dark outlines."""

from __future__ import annotations

import cv2
import numpy as np


def drawing(size: int = 96) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Returns ``(rgb uint8 (S,S,3), line mask bool (S,S), flat-fill interior mask bool (S,S))``.

    Lines: 2-px black outlines of a filled orange rectangle and a filled blue
    circle, and a 2-px dark red (colored trace) diagonal stroke on white.
    Flat: fill pixels at least 5 px away from any line or color edge.
    """
    s = size
    rgb = np.full((s, s, 3), 255, np.uint8)
    lines = np.zeros((s, s), np.uint8)
    fills = np.zeros((s, s), np.uint8)
    cv2.rectangle(rgb, (8, 8), (50, 44), (240, 150, 60), -1)
    cv2.rectangle(fills, (8, 8), (50, 44), 1, -1)
    cv2.circle(rgb, (66, 64), 22, (70, 110, 210), -1)
    cv2.circle(fills, (66, 64), 22, 1, -1)
    cv2.rectangle(rgb, (8, 8), (50, 44), (0, 0, 0), 2)
    cv2.rectangle(lines, (8, 8), (50, 44), 1, 2)
    cv2.circle(rgb, (66, 64), 22, (0, 0, 0), 2)
    cv2.circle(lines, (66, 64), 22, 1, 2)
    cv2.line(rgb, (10, 90), (40, 60), (120, 20, 20), 2)
    cv2.line(lines, (10, 90), (40, 60), 1, 2)
    line_mask = lines.astype(bool)
    near_line = cv2.dilate(lines, np.ones((11, 11), np.uint8)).astype(bool)
    flat = cv2.erode(fills, np.ones((11, 11), np.uint8)).astype(bool) & ~near_line
    return rgb, line_mask, flat
