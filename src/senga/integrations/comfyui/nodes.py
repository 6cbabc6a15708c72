"""The ComfyUI nodes: "senga: load model" and "senga: line art".

ComfyUI's conventions: an ``IMAGE`` is a torch float tensor ``[B, H, W, C]``
in [0, 1] (C = 3, or 4 with alpha), a ``MASK`` is ``[B, H, W]`` float in
[0, 1]. A node class declares ``INPUT_TYPES`` (a classmethod), ``RETURN_TYPES``,
``RETURN_NAMES``, ``FUNCTION`` (the method ComfyUI calls with the inputs as
keyword arguments, returning a tuple) and ``CATEGORY`` (its menu).

"senga: line art" runs :class:`senga.extract.LineExtractor` (tiled, any size,
at full resolution) on every image of the batch and renders it with
:mod:`senga.extract.style`, exactly as ``senga extract --style`` does:

* ``IMAGE``: ``"black"`` black lines on white and ``"controlnet"`` white
  lines on black as 3-channel gray; ``"alpha"`` as 4-channel RGBA (the line
  color, the line darkness as alpha; ComfyUI's "Save Image" writes a
  transparent PNG);
* ``MASK`` (every style): the line alpha, 1 = line, 0 = paper (gamma and
  drop_below applied). ComfyUI's "Join Image with Alpha" takes ``1 - mask``
  as alpha, so invert the mask first to put the lines on a transparent layer.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import torch

from senga.extract import DEFAULT_OVERLAP, DEFAULT_TILE, LineExtractor, as_rgb
from senga.extract.style import GAMMA_RANGE, STYLES, OutputStyle, adjust_ink, parse_color, render_gray
from senga.extract.tiling import Tiling
from senga.integrations.comfyui.models import SengaModel, folder_stamp, load_model, model_folder
from senga.integrations.comfyui.runtime import DEVICES, Progress, find_model_folders, register_model_folder
from senga.io.images import gray_to_ink
from senga.models.pretrained import CONFIG_NAME, WEIGHTS_NAME
from senga.weights import BUNDLED_MODELS, available_bundled_models

#: The ComfyUI type of the model object passed from the loader to the line-art node.
MODEL_TYPE = "SENGA_MODEL"
#: The menu both nodes appear in.
CATEGORY = "senga"
#: Extra choice of the line-art node's device: keep the device the loader put the model on.
MODEL_DEVICE = "model"
#: Largest tile / overlap the widgets offer (ComfyUI's own MAX_RESOLUTION).
MAX_SIDE = 16384


def image_to_rgb(frame: torch.Tensor) -> np.ndarray:
    """One ComfyUI image ``[H, W, C]`` float in [0, 1] -> ``(H, W, 3) uint8`` RGB.

    C = 1 (gray), 3 (RGB) or 4 (RGBA: composited on white, like every senga input).
    """
    if frame.ndim != 3 or frame.shape[2] not in (1, 3, 4):
        raise ValueError(
            f"expected an IMAGE of shape [B, H, W, C] with C in 1, 3, 4, got {tuple(frame.shape)}"
        )
    arr = (frame.detach().to("cpu", torch.float32).clamp(0.0, 1.0) * 255.0).round().to(torch.uint8).numpy()
    return as_rgb(arr[..., 0] if arr.shape[2] == 1 else arr)


def model_choices() -> list[str]:
    """The loader's dropdown: the bundled models, then the model folders in ``ComfyUI/models/senga/``.

    Inside ComfyUI the folder is registered with ``folder_paths`` first
    (:func:`~senga.integrations.comfyui.runtime.register_model_folder`), so it
    exists and folders added by ``extra_model_paths.yaml`` are listed too;
    outside ComfyUI only the bundled models.
    """
    bundled = available_bundled_models() or [BUNDLED_MODELS[0]]
    folders = find_model_folders(register_model_folder(), WEIGHTS_NAME, CONFIG_NAME)
    return [*bundled, *(name for name in folders if name not in bundled)]


class SengaLoadModel:
    """ "senga: load model": the bundled model or a model folder, loaded once and kept (see ``models``)."""

    @classmethod
    def INPUT_TYPES(cls) -> dict[str, Any]:
        return {
            "required": {
                "model": (
                    model_choices(),
                    {
                        "default": BUNDLED_MODELS[0],
                        "tooltip": "default: the model shipped with senga (offline); fast: its fast bundled model; "
                        "or a model folder (model.safetensors + config.json, e.g. a training run's best/) "
                        "put or linked into ComfyUI/models/senga/",
                    },
                ),
                "device": (
                    list(DEVICES),
                    {"default": "auto", "tooltip": "auto: ComfyUI's device (its --cpu / GPU choice)"},
                ),
            }
        }

    @classmethod
    def VALIDATE_INPUTS(cls, model: str) -> bool | str:
        """Accept the dropdown's entries and what older workflows saved ("bundled", a folder path).

        Defining this for ``model`` replaces ComfyUI's "value not in list" check of that input.
        """
        if model in model_choices():
            return True
        folder = model_folder(model)
        if (folder / WEIGHTS_NAME).is_file():
            return True
        return f"{model}: not a senga model (no {WEIGHTS_NAME} in {folder}); pick one from the list"

    RETURN_TYPES = (MODEL_TYPE,)
    RETURN_NAMES = ("senga_model",)
    FUNCTION = "load"
    CATEGORY = CATEGORY
    DESCRIPTION = "Loads a senga line-extraction model once; later runs reuse it."

    @classmethod
    def IS_CHANGED(cls, model: str, device: str) -> str:
        """Run again when the folder's files change on disk (a new checkpoint written in place)."""
        return f"{model_folder(model)}|{device}|{folder_stamp(model_folder(model))}"

    def load(self, model: str, device: str) -> tuple[SengaModel]:
        return (load_model(model, device),)


class SengaLineArt:
    """ "senga: line art": line art of every image of a batch, at full resolution."""

    @classmethod
    def INPUT_TYPES(cls) -> dict[str, Any]:
        return {
            "required": {
                "image": ("IMAGE",),
                "senga_model": (MODEL_TYPE,),
                "style": (
                    list(STYLES),
                    {
                        "default": STYLES[0],
                        "tooltip": "black: black lines on white; controlnet: white lines on black "
                        "(ControlNet lineart); alpha: RGBA, the line color with the line darkness as alpha; "
                        "color: RGBA, each line in its own color from the image, darkness as alpha",
                    },
                ),
                "tile": (
                    "INT",
                    {
                        "default": DEFAULT_TILE,
                        "min": 32,
                        "max": MAX_SIDE,
                        "step": 16,
                        "tooltip": "images are processed in tiles of this side (bounded memory); "
                        "the result is the same as one pass",
                    },
                ),
                "device": (
                    [MODEL_DEVICE, *DEVICES],
                    {"default": MODEL_DEVICE, "tooltip": "model: where the loader put the model"},
                ),
            },
            "optional": {
                "overlap": (
                    "INT",
                    {
                        "default": DEFAULT_OVERLAP,
                        "min": 0,
                        "max": MAX_SIDE,
                        "step": 16,
                        "tooltip": "context pixels around each tile",
                    },
                ),
                "half": ("BOOLEAN", {"default": False, "tooltip": "float16 on CUDA (faster, less memory)"}),
                "line_color": (
                    "STRING",
                    {"default": "#000000", "tooltip": "line color of the alpha style (hex)"},
                ),
                "gamma": (
                    "FLOAT",
                    {
                        "default": 1.0,
                        "min": GAMMA_RANGE[0],
                        "max": GAMMA_RANGE[1],
                        "step": 0.05,
                        "tooltip": "line contrast: < 1 darkens faint lines, > 1 lightens them",
                    },
                ),
                "drop_below": (
                    "FLOAT",
                    {
                        "default": 0.0,
                        "min": 0.0,
                        "max": 0.99,
                        "step": 0.01,
                        "tooltip": "ink fainter than this becomes paper (e.g. 0.1 removes faint noise)",
                    },
                ),
                "max_side": (
                    "INT",
                    {
                        "default": 0,
                        "min": 0,
                        "max": MAX_SIDE,
                        "step": 16,
                        "tooltip": "0: full resolution; else the model runs on the image scaled so its longer "
                        "side is at most this, and the lines are scaled back (faster, less detail)",
                    },
                ),
            },
        }

    RETURN_TYPES = ("IMAGE", "MASK")
    RETURN_NAMES = ("line_art", "line_alpha")
    FUNCTION = "extract"
    CATEGORY = CATEGORY
    DESCRIPTION = "Grayscale line art of color illustrations (senga), any size, every image of the batch."

    def extract(
        self,
        image: torch.Tensor,
        senga_model: SengaModel,
        style: str = STYLES[0],
        tile: int = DEFAULT_TILE,
        device: str = MODEL_DEVICE,
        overlap: int = DEFAULT_OVERLAP,
        half: bool = False,
        line_color: str = "#000000",
        gamma: float = 1.0,
        drop_below: float = 0.0,
        max_side: int = 0,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``image [B, H, W, C]`` -> ``(IMAGE [B, H, W, 3 or 4], MASK [B, H, W])``, float32 on the CPU.

        Raises:
            ValueError: a bad image shape, style setting, tiling or device (one line).
        """
        out_style = OutputStyle(style, color=parse_color(line_color), gamma=gamma, drop_below=drop_below)
        if image.ndim != 4:
            raise ValueError(f"expected an IMAGE of shape [B, H, W, C], got {tuple(image.shape)}")
        if device != MODEL_DEVICE:
            senga_model = load_model(senga_model.folder, device)
        extractor = LineExtractor.from_model(
            senga_model.module,
            device=senga_model.device,
            half=half,
            tiling=Tiling(tile, overlap),
            max_side=max_side or None,
        )
        b, h, w, _ = image.shape
        channels = 4 if out_style.mode == "RGBA" else 3
        lines = torch.empty((b, h, w, channels), dtype=torch.float32)
        alpha = torch.empty((b, h, w), dtype=torch.float32)
        progress = Progress(b)
        for i in range(b):
            rgb = image_to_rgb(image[i])
            gray = extractor.predict_gray(rgb, functools.partial(progress.tile, i))
            styled = torch.from_numpy(np.array(render_gray(gray, out_style, rgb)))
            lines[i] = (styled[..., None] if styled.ndim == 2 else styled).to(torch.float32) / 255.0
            ink = gray_to_ink(gray)
            if out_style.gamma != 1.0 or out_style.drop_below > 0.0:
                ink = adjust_ink(ink, out_style.gamma, out_style.drop_below)
            alpha[i] = torch.from_numpy(ink)
        return lines, alpha


NODE_CLASS_MAPPINGS: dict[str, type] = {
    "SengaLoadModel": SengaLoadModel,
    "SengaLineArt": SengaLineArt,
}

NODE_DISPLAY_NAME_MAPPINGS: dict[str, str] = {
    "SengaLoadModel": "senga: load model",
    "SengaLineArt": "senga: line art",
}
