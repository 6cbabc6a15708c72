"""Helpers for the extract tests: test images, a generator with non-trivial weights,
and the input-kind makers shared with tests/io."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

from senga.models import create_model


def _load_image_kinds():  # tests/io/image_kinds.py, shared with the io tests
    if "image_kinds" in sys.modules:
        return sys.modules["image_kinds"]
    path = Path(__file__).resolve().parents[1] / "io" / "image_kinds.py"
    spec = importlib.util.spec_from_file_location("image_kinds", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


image_kinds = _load_image_kinds()


def drawn_image(size: int, seed: int = 0) -> np.ndarray:
    """``(size, size, 3) uint8``: random colored discs with dark outlines on white."""
    import cv2

    rng = np.random.default_rng(seed)
    img = np.full((size, size, 3), 255, np.uint8)
    for _ in range(max(4, size // 24)):
        c = (int(rng.integers(0, size)), int(rng.integers(0, size)))
        r = int(rng.integers(size // 16 + 2, size // 4 + 3))
        cv2.circle(img, c, r, tuple(int(v) for v in rng.integers(40, 250, 3)), -1)
        cv2.circle(img, c, r, (20, 20, 20), int(rng.integers(1, 4)))
    return img


def calibrated_generator(name: str = "senga-noattn", seed: int = 0) -> nn.Module:
    """A generator whose output actually depends on its input over its whole receptive field.

    The paper's init (weights in +-0.005) makes an untrained network output a
    near-constant map, which would make tiling tests vacuous. Here the convs get
    PyTorch's default (Kaiming-uniform) init and the batch norms running
    statistics measured on drawings, as after training; the output then spans
    [0, 1] and every pixel feels context up to ~200 px away.
    """
    torch.manual_seed(seed)
    model = create_model(name)
    for name_, m in model.named_modules():
        if isinstance(m, nn.Conv2d) and not name_.startswith("attention"):
            m.reset_parameters()
            if m.out_channels == 1:  # the output conv: give the logits a spread of a few units
                m.weight.data.mul_(8.0)
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = None  # cumulative average
    model.train()
    with torch.no_grad():
        for s in range(3):
            x = torch.from_numpy(drawn_image(256, seed=s)).permute(2, 0, 1)[None].float() / 255
            model(x)
    return model.eval()
