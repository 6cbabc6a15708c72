"""The product path: tiled inference, the ``LineExtractor`` API and the batch file runner.

* :mod:`senga.extract.tiling`: ``predict_ink(model, rgb, tile, overlap, ...)``,
  any image size with bounded memory;
* :mod:`senga.extract.extractor`: ``LineExtractor`` / ``ClassicalExtractor``,
  PIL or numpy in, PIL ``"L"`` line art out;
* :mod:`senga.extract.runner`: ``run_files`` behind ``senga extract``.
"""

from senga.extract.extractor import ClassicalExtractor, LineExtractor, as_rgb, resolve_device
from senga.extract.runner import RunSummary, plan_outputs, run_files
from senga.extract.tiling import DEFAULT_OVERLAP, DEFAULT_TILE, predict_gray, predict_ink

__all__ = [
    "DEFAULT_OVERLAP",
    "DEFAULT_TILE",
    "ClassicalExtractor",
    "LineExtractor",
    "RunSummary",
    "as_rgb",
    "plan_outputs",
    "predict_gray",
    "predict_ink",
    "resolve_device",
    "run_files",
]
