"""Adapters that plug senga into other tools.

* :mod:`senga.integrations.comfyui`: ComfyUI custom nodes ("senga: load model",
  "senga: line art"); the package folder is itself a loadable custom-node folder.
"""
