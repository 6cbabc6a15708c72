"""ComfyUI custom nodes for senga: "senga: load model" and "senga: line art".

This folder is a ComfyUI custom-node package: symlink or copy it into
``ComfyUI/custom_nodes/`` (any folder name, e.g. ``senga_comfyui``) after
installing senga into ComfyUI's Python; see ``README.md`` beside this file.
ComfyUI imports it as a top-level module under the folder's name, so every
import here is absolute (``from senga...``) and the nodes themselves live in
the installed package (:mod:`senga.integrations.comfyui.nodes`).
"""

from __future__ import annotations

import os
import sys

try:
    import senga  # noqa: F401  (only checks that the package is installed)
except ImportError as err:  # the folder was copied into custom_nodes, senga was never installed
    raise ImportError(
        f"senga ComfyUI nodes: the senga package is not installed in ComfyUI's Python ({sys.executable}); "
        f'install it first: "{sys.executable}" -m pip install /path/to/senga'
    ) from err

from senga.integrations.comfyui.nodes import (
    NODE_CLASS_MAPPINGS,
    NODE_DISPLAY_NAME_MAPPINGS,
    SengaLineArt,
    SengaLoadModel,
    SengaModel,
    load_model,
)

#: This folder: what to symlink or copy into ``ComfyUI/custom_nodes/``.
FOLDER: str = os.path.dirname(os.path.abspath(__file__))

__all__ = [
    "FOLDER",
    "NODE_CLASS_MAPPINGS",
    "NODE_DISPLAY_NAME_MAPPINGS",
    "SengaLineArt",
    "SengaLoadModel",
    "SengaModel",
    "load_model",
]
