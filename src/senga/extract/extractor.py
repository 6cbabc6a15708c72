"""The Python API: ``LineExtractor`` (a trained model) and ``ClassicalExtractor``.

Both take an image (PIL, ``(H, W, 3) uint8`` or ``(H, W) uint8`` numpy) and
give back its line art as a PIL ``"L"`` image of the same size, black lines on
white. Both are safe to call from several threads at once: the network runs on a
backend (:mod:`senga.extract.backends`: PyTorch, or onnxruntime without
PyTorch) that is prepared once, at construction, and no call mutates the
extractor. This module imports no torch: ``backend="onnxruntime"`` works in
an install without it.

Example (a freshly initialised network; use ``LineExtractor.from_pretrained()``
for the bundled, trained one):

>>> import numpy as np
>>> from senga.models import create_model
>>> from senga.extract import LineExtractor
>>> extractor = LineExtractor.from_model(create_model("senga"), device="cpu")
>>> image = np.full((40, 60, 3), 255, np.uint8)
>>> image[20, :] = 0  # a black line
>>> lines = extractor(image)
>>> lines.mode, lines.size  # PIL size is (width, height)
('L', (60, 40))
>>> [im.size for im in extractor.batch([image, image[:10, :7]])]
[(60, 40), (7, 10)]
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any, Protocol

import numpy as np
from PIL import Image

from senga.extract.backends import Backend, make_backend, resolve_backend, resolve_onnx_path
from senga.extract.resize import check_max_side, downscale_rgb, processing_size, upscale_map
from senga.extract.style import OutputStyle, as_style, render_gray
from senga.extract.tiling import (
    ProgressFn,
    Tiling,
    as_tiling,
    gray_from_bands,
    ink_from_bands,
    tiled_bands,
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


class Extractor(Protocol):
    """What the batch runner and the CLI need from an extractor."""

    def predict_gray(self, rgb: np.ndarray, progress: ProgressFn | None = None) -> np.ndarray: ...


class _ImageAPI:
    """``__call__``, ``predict_ink`` and ``batch`` on top of ``_ink`` / ``_gray``.

    ``max_side`` (the instance's default, or per call; ``None`` = full size):
    the model runs on the image scaled so its longer side is at most
    ``max_side`` and its output is scaled back (:mod:`senga.extract.resize`);
    outputs always have the input's size.
    """

    max_side: int | None = None

    def _side(self, max_side: int | None) -> int | None:
        return self.max_side if max_side is None else check_max_side(max_side)

    def predict_ink(
        self, image: ImageLike, progress: ProgressFn | None = None, *, max_side: int | None = None
    ) -> np.ndarray:
        """``(H, W) float32`` ink map in [0, 1] (1 = line) of ``image``."""
        rgb = as_rgb(image)
        size = processing_size(rgb.shape[0], rgb.shape[1], self._side(max_side))
        if size == rgb.shape[:2]:
            return self._ink(rgb, progress)
        return upscale_map(self._ink(downscale_rgb(rgb, size), progress), rgb.shape[:2])

    def __call__(
        self,
        image: ImageLike,
        progress: ProgressFn | None = None,
        style: OutputStyle | str | None = None,
        *,
        max_side: int | None = None,
    ) -> Image.Image:
        """Line art of ``image``, same size: by default a PIL ``"L"`` image, black lines on white.

        ``style`` (an :class:`~senga.extract.style.OutputStyle` or a name in
        ``STYLES``) gives ``"RGBA"`` for ``"alpha"`` and ``"color"`` (lines in their own
        color, taken from ``image``), white on black for
        ``"controlnet"``, and applies its gamma / drop_below.
        """
        rgb = as_rgb(image)
        return render_gray(self.predict_gray(rgb, progress, max_side=max_side), as_style(style), rgb)

    def batch(self, images: Iterable[ImageLike]) -> list[Image.Image]:
        """``[self(image) for image in images]`` (images may differ in size)."""
        return [self(image) for image in images]

    def _ink(self, rgb: np.ndarray, progress: ProgressFn | None) -> np.ndarray:
        raise NotImplementedError

    def _gray(self, rgb: np.ndarray, progress: ProgressFn | None) -> np.ndarray:
        return ink_to_gray(self._ink(rgb, progress))

    def predict_gray(
        self, rgb: np.ndarray, progress: ProgressFn | None = None, *, max_side: int | None = None
    ) -> np.ndarray:
        """``(H, W, 3) uint8`` RGB -> ``(H, W) uint8`` line image (255 = paper)."""
        size = processing_size(rgb.shape[0], rgb.shape[1], self._side(max_side))
        if size == rgb.shape[:2]:
            return self._gray(rgb, progress)
        return upscale_map(self._gray(downscale_rgb(rgb, size), progress), rgb.shape[:2])


class LineExtractor(_ImageAPI):
    """Grayscale line art from color illustrations with a trained senga model.

    Create with :meth:`from_pretrained` (a saved model folder, or the bundled
    model) or :meth:`from_model`. Images of any size are processed by tiled
    inference (:mod:`senga.extract.tiling`); memory stays bounded.

    Args:
        model: a generator ``nn.Module`` (``(N, 3, H, W)`` in [0, 1] -> ``(N, 1, H, W)``
            ink; backend ``"torch"``), a ``.onnx`` file or a folder holding
            ``model.onnx`` made by ``senga export`` (backend ``"onnxruntime"``),
            or a :class:`~senga.extract.backends.Backend`.
        device: ``"auto"`` (CUDA if available), ``"cpu"``, ``"cuda"``, ...
        half: float16 autocast (torch backend on CUDA only).
        tile: output tile side in pixels (default ``DEFAULT_TILE``).
        overlap: context pixels added on each interior side of a tile (default ``DEFAULT_OVERLAP``).
        batch_size: tiles per forward pass (``senga extract --tile-batch``; default 1).
        backend: ``"torch"``, ``"onnxruntime"`` or ``None`` / ``"auto"``
            (from the kind of ``model``).
        tiling: the three settings above as one :class:`~senga.extract.tiling.Tiling`
            (then leave them out).
        precision: ``"auto"``, ``"fp32"`` or ``"bf16"`` (:mod:`senga.extract.precision`).
        max_side: run at most this many pixels on the longer side and scale the
            line art back (``None``: full resolution; :mod:`senga.extract.resize`).
    """

    def __init__(
        self,
        model: Any,
        device: Any = "auto",
        half: bool = False,
        tile: int | None = None,
        overlap: int | None = None,
        batch_size: int | None = None,
        backend: str | None = None,
        *,
        tiling: Tiling | None = None,
        precision: str = "auto",
        max_side: int | None = None,
    ) -> None:
        self.tiling = as_tiling(tiling, tile, overlap, batch_size)
        self.max_side = check_max_side(max_side)
        self.backend: Backend = make_backend(model, backend, device=device, half=half, precision=precision)
        self.half = half

    @property
    def model(self) -> Any:
        """The torch ``nn.Module`` (torch backend), else ``None``."""
        return getattr(self.backend, "model", None)

    @property
    def device(self) -> Any:
        """Where the network runs: a ``torch.device`` (torch) or ``"cpu"`` / ``"cuda"`` (onnxruntime)."""
        return getattr(self.backend, "device", None)

    @property
    def tile(self) -> int:
        return self.tiling.tile

    @property
    def overlap(self) -> int:
        return self.tiling.overlap

    @property
    def batch_size(self) -> int:
        return self.tiling.batch_size

    @classmethod
    def from_model(cls, model: Any, **kwargs: Any) -> LineExtractor:
        """Wrap an in-memory model (keyword arguments as in the constructor)."""
        return cls(model, **kwargs)

    @classmethod
    def from_pretrained(
        cls,
        path: str | os.PathLike[str] | None = None,
        device: Any = "auto",
        half: bool = False,
        tile: int | None = None,
        overlap: int | None = None,
        batch_size: int | None = None,
        backend: str | None = None,
        ink_floor: float | None = None,
        *,
        tiling: Tiling | None = None,
        precision: str = "auto",
        max_side: int | None = None,
    ) -> LineExtractor:
        """Load a saved model: the folder (``model.safetensors`` + ``config.json``) for the
        torch backend, its ``model.onnx`` (or a ``.onnx`` file) for onnxruntime.

        ``path=None`` or ``"default"`` (alias ``"bundled"``) loads the model bundled with
        senga (``senga/weights/default``), offline; ``"fast"`` the bundled fast model
        (names: :mod:`senga.weights`). ``backend=None`` / ``"auto"``
        is ``"torch"`` when PyTorch is installed, else ``"onnxruntime"``.
        ``ink_floor`` replaces the model's saved output floor (ink below it is
        paper; ``0`` keeps the faintest haze); torch backend only, since an ONNX
        graph keeps the floor it was exported with (``senga export --ink-floor``).

        ``tile`` / ``overlap`` / ``batch_size`` (or one ``tiling``), ``precision`` and
        ``max_side`` are as in the constructor.

        Raises:
            ValueError: the folder is missing or unusable, or the bundled
                model is not installed (``senga.weights.ModelNotInstalledError``).
        """
        name = resolve_backend(backend)
        tiling = as_tiling(tiling, tile, overlap, batch_size)  # fail on settings before reading any file
        if name == "onnxruntime":
            if ink_floor is not None:
                raise ValueError(
                    "ink_floor: the onnxruntime backend runs the floor baked into the ONNX graph; "
                    "export one with `senga export MODEL --ink-floor X`, or use the torch backend"
                )
            return cls(
                resolve_onnx_path(path),
                device=device,
                half=half,
                backend=name,
                tiling=tiling,
                precision=precision,
                max_side=max_side,
            )

        from senga.models import from_pretrained
        from senga.runtime import checked_device

        checked_device(device, half)
        model = from_pretrained(path, map_location="cpu", ink_floor=ink_floor)  # bundled names: senga.weights
        return cls(model, device=device, half=half, tiling=tiling, precision=precision, max_side=max_side)

    def _ink(self, rgb: np.ndarray, progress: ProgressFn | None) -> np.ndarray:
        return ink_from_bands(tiled_bands(self.backend, rgb, self.tiling, progress), rgb.shape)

    def _gray(self, rgb: np.ndarray, progress: ProgressFn | None) -> np.ndarray:
        """``(H, W, 3) uint8`` RGB -> ``(H, W) uint8`` line image, built band by band (no full float map)."""
        return gray_from_bands(tiled_bands(self.backend, rgb, self.tiling, progress), rgb.shape)

    def __repr__(self) -> str:
        t = self.tiling
        return (
            f"LineExtractor({self.backend.describe()}, tile={t.tile}, overlap={t.overlap}, "
            f"batch_size={t.batch_size})"
        )


class ClassicalExtractor(_ImageAPI):
    """The same interface over a classical method (``"morph"``, ``"xdog"``, ``"blurdiff"``).

    Example:
        >>> img = np.full((8, 8, 3), 255, np.uint8)
        >>> img[4, :] = 0
        >>> ClassicalExtractor("morph")(img).getpixel((3, 4))
        0
    """

    def __init__(self, method: str, *, max_side: int | None = None, **params: Any) -> None:
        from senga.classical import check_params

        check_params(method, params)
        self.method = method
        self.params = dict(params)
        self.max_side = check_max_side(max_side)

    def _ink(self, rgb: np.ndarray, progress: ProgressFn | None) -> np.ndarray:
        from senga.classical import extract_classical

        ink = extract_classical(self.method, rgb, **self.params)
        if progress is not None:
            progress(1, 1)
        return ink

    def __repr__(self) -> str:
        return f"ClassicalExtractor({self.method!r}, **{self.params})"
