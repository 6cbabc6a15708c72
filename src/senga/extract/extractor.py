"""The Python API: ``LineExtractor`` (a trained model) and ``ClassicalExtractor``.

Both take an image (PIL, ``(H, W, 3) uint8`` or ``(H, W) uint8`` numpy) and
give back its line art as a PIL ``"L"`` image of the same size, black lines on
white. Both are safe to call from several threads at once: inference runs under
``torch.inference_mode`` on a model that is put in eval mode and on its device
once, at construction, and no call mutates the extractor.

Example (a freshly initialised network; use ``LineExtractor.from_pretrained()``
for the bundled, trained one):

>>> import numpy as np
>>> from senga.models import create_model
>>> from senga.extract import LineExtractor
>>> extractor = LineExtractor.from_model(create_model("senga"), device="cpu")
>>> image = np.full((40, 60, 3), 255, np.uint8)
>>> image[20, :] = 0                       # a black line
>>> lines = extractor(image)
>>> lines.mode, lines.size                 # PIL size is (width, height)
('L', (60, 40))
>>> [im.size for im in extractor.batch([image, image[:10, :7]])]
[(60, 40), (7, 10)]
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from typing import Any, Protocol

import numpy as np
import torch
from PIL import Image
from torch import nn

from senga.extract.style import OutputStyle, as_style, render_gray
from senga.extract.tiling import (
    DEFAULT_OVERLAP,
    DEFAULT_TILE,
    ProgressFn,
    check_tiling,
    predict_gray,
    predict_ink,
)
from senga.io.images import ink_to_gray, to_rgb_array

ImageLike = Image.Image | np.ndarray


def as_rgb(image: ImageLike) -> np.ndarray:
    """A PIL image or numpy array -> ``(H, W, 3) uint8`` RGB (alpha composited on white).

    Accepted arrays: ``(H, W, 3)`` or ``(H, W, 4)`` (RGBA) or ``(H, W)`` (gray), uint8.
    """
    if isinstance(image, Image.Image):
        return to_rgb_array(image)
    if isinstance(image, np.ndarray):
        if image.dtype != np.uint8:
            raise ValueError(f"expected a uint8 image array, got dtype {image.dtype}")
        if image.ndim == 2:
            return np.repeat(image[..., None], 3, axis=2)
        if image.ndim == 3 and image.shape[2] == 3:
            return np.ascontiguousarray(image)
        if image.ndim == 3 and image.shape[2] == 4:
            return to_rgb_array(Image.fromarray(image, mode="RGBA"))
        raise ValueError(
            f"expected an (H, W, 3), (H, W, 4) or (H, W) uint8 array, got shape {tuple(image.shape)}"
        )
    raise TypeError(f"expected a PIL image or a numpy array, got {type(image).__name__}")


def resolve_device(device: str | torch.device) -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; other names are checked."""
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' requested but CUDA is not available (use --device cpu or auto)")
    return dev


def _checked_device(device: str | torch.device, half: bool) -> torch.device:
    dev = resolve_device(device)
    if half and dev.type != "cuda":
        raise ValueError(f"half precision needs a CUDA device, got device {str(dev)!r}")
    return dev


class Extractor(Protocol):
    """What the batch runner and the CLI need from an extractor."""

    def predict_gray(self, rgb: np.ndarray, progress: ProgressFn | None = None) -> np.ndarray: ...


class _ImageAPI:
    """``__call__``, ``predict_ink`` and ``batch`` on top of ``_ink`` / ``predict_gray``."""

    def predict_ink(self, image: ImageLike, progress: ProgressFn | None = None) -> np.ndarray:
        """``(H, W) float32`` ink map in [0, 1] (1 = line) of ``image``."""
        return self._ink(as_rgb(image), progress)

    def __call__(
        self, image: ImageLike, progress: ProgressFn | None = None, style: OutputStyle | str | None = None
    ) -> Image.Image:
        """Line art of ``image``, same size: by default a PIL ``"L"`` image, black lines on white.

        ``style`` (an :class:`~senga.extract.style.OutputStyle` or a name in
        ``STYLES``) gives ``"RGBA"`` for ``"alpha"``, white on black for
        ``"controlnet"``, and applies its gamma / drop_below.
        """
        return render_gray(self.predict_gray(as_rgb(image), progress), as_style(style))

    def batch(self, images: Iterable[ImageLike]) -> list[Image.Image]:
        """``[self(image) for image in images]`` (images may differ in size)."""
        return [self(image) for image in images]

    def _ink(self, rgb: np.ndarray, progress: ProgressFn | None) -> np.ndarray:
        raise NotImplementedError

    def predict_gray(self, rgb: np.ndarray, progress: ProgressFn | None = None) -> np.ndarray:
        """``(H, W, 3) uint8`` RGB -> ``(H, W) uint8`` line image (255 = paper)."""
        return ink_to_gray(self._ink(rgb, progress))


class LineExtractor(_ImageAPI):
    """Grayscale line art from color illustrations with a trained senga model.

    Create with :meth:`from_pretrained` (a saved model folder, or the bundled
    model) or :meth:`from_model`. Images of any size are processed by tiled
    inference (:mod:`senga.extract.tiling`); memory stays bounded.

    Args:
        model: a generator, ``(N, 3, H, W)`` in [0, 1] -> ``(N, 1, H, W)`` ink.
        device: ``"auto"`` (CUDA if available), ``"cpu"``, ``"cuda"``, ...
        half: float16 autocast on CUDA.
        tile: output tile side in pixels.
        overlap: context pixels added on each interior side of a tile.
        batch_size: tiles per forward pass.
    """

    def __init__(
        self,
        model: nn.Module,
        device: str | torch.device = "auto",
        half: bool = False,
        tile: int = DEFAULT_TILE,
        overlap: int = DEFAULT_OVERLAP,
        batch_size: int = 1,
    ) -> None:
        self.device = _checked_device(device, half)
        check_tiling(tile, overlap, batch_size)
        self.model = model.to(self.device).eval()
        self._lock = threading.Lock()
        self.half = half
        self.tile = tile
        self.overlap = overlap
        self.batch_size = batch_size

    @classmethod
    def from_model(cls, model: nn.Module, **kwargs: Any) -> LineExtractor:
        """Wrap an in-memory model (keyword arguments as in the constructor)."""
        return cls(model, **kwargs)

    @classmethod
    def from_pretrained(
        cls,
        path: str | os.PathLike[str] | None = None,
        device: str | torch.device = "auto",
        half: bool = False,
        tile: int = DEFAULT_TILE,
        overlap: int = DEFAULT_OVERLAP,
        batch_size: int = 1,
    ) -> LineExtractor:
        """Load a saved model folder (``model.safetensors`` + ``config.json``).

        ``path=None`` or ``"default"`` loads the model bundled with senga
        (``senga/weights/default``), offline.

        Raises:
            ValueError: the folder is missing or unusable, or the bundled
                model is not installed ("bundled model not found").
        """
        from senga.models import PretrainedError, bundled_model_dir, from_pretrained

        _checked_device(device, half)  # fail on settings before reading any file
        check_tiling(tile, overlap, batch_size)
        if path is None or str(path) == "default":
            directory = bundled_model_dir()
            if not (directory / "model.safetensors").is_file():
                raise PretrainedError(
                    directory, "bundled model not found (model.safetensors missing); pass a model folder"
                )
            path = directory
        model = from_pretrained(path, map_location="cpu")
        return cls(model, device=device, half=half, tile=tile, overlap=overlap, batch_size=batch_size)

    def _tiling(self) -> dict[str, Any]:
        return {
            "tile": self.tile,
            "overlap": self.overlap,
            "device": self.device,
            "half": self.half,
            "batch": self.batch_size,
        }

    def _ready(self) -> nn.Module:
        """The model in eval mode on ``self.device``. Both hold after construction, so this
        only changes something if a caller moved the model or switched it to train mode;
        the lock keeps concurrent calls from doing that change twice at once."""
        with self._lock:
            p = next(self.model.parameters(), None)
            if self.model.training or (p is not None and p.device != self.device):
                self.model.to(self.device).eval()
        return self.model

    def _ink(self, rgb: np.ndarray, progress: ProgressFn | None) -> np.ndarray:
        return predict_ink(self._ready(), rgb, progress=progress, **self._tiling())

    def predict_gray(self, rgb: np.ndarray, progress: ProgressFn | None = None) -> np.ndarray:
        """``(H, W, 3) uint8`` RGB -> ``(H, W) uint8`` line image, built band by band (no full float map)."""
        return predict_gray(self._ready(), rgb, progress=progress, **self._tiling())

    def __repr__(self) -> str:
        name = getattr(getattr(self.model, "config", None), "name", type(self.model).__name__)
        return (
            f"LineExtractor(model={name!r}, device={str(self.device)!r}, half={self.half}, "
            f"tile={self.tile}, overlap={self.overlap}, batch_size={self.batch_size})"
        )


class ClassicalExtractor(_ImageAPI):
    """The same interface over a classical method (``"morph"``, ``"xdog"``, ``"blurdiff"``).

    Example:
        >>> img = np.full((8, 8, 3), 255, np.uint8); img[4, :] = 0
        >>> ClassicalExtractor("morph")(img).getpixel((3, 4))
        0
    """

    def __init__(self, method: str, **params: Any) -> None:
        from senga.classical import check_params

        check_params(method, params)
        self.method = method
        self.params = dict(params)

    def _ink(self, rgb: np.ndarray, progress: ProgressFn | None) -> np.ndarray:
        from senga.classical import extract_classical

        ink = extract_classical(self.method, rgb, **self.params)
        if progress is not None:
            progress(1, 1)
        return ink

    def __repr__(self) -> str:
        return f"ClassicalExtractor({self.method!r}, **{self.params})"
