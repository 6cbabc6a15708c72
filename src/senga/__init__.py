"""senga (線画): grayscale line-art extraction from color illustrations.

Inside the library every line map is an *ink map*: a float array in [0, 1]
where 1 is black ink and 0 is white paper. Files on disk are ordinary images
(black lines on white); :mod:`senga.io` converts at that boundary only.

Quick start::

    from senga import LineExtractor

    extractor = LineExtractor.from_pretrained()  # bundled model, offline
    lines = extractor(pil_image)  # PIL "L" image back
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["LineExtractor", "__version__"]


def __getattr__(name: str) -> Any:
    # Lazy so that `import senga` (and `senga --version`) does not import torch.
    if name == "LineExtractor":
        from senga.extract.extractor import LineExtractor

        return LineExtractor
    raise AttributeError(f"module 'senga' has no attribute {name!r}")
