"""Classical (non-learned) line extraction: the comparison floor in every table.

Each method maps an ``(H, W, 3) uint8`` RGB image to an ``(H, W) float32`` ink
map in [0, 1] (1 = black line). Parameters and their defaults are documented in
each module and in ``docs/classical.md``. The methods need NumPy and OpenCV, not
torch: ``import senga.classical`` imports no torch; the batched torch form of
``morph`` (``morph_lines_torch``, ``MorphLines``) lives in :mod:`senga.classical.morph_torch`
and is loaded on first use.

=============  ==========================================  ==============================
name           method                                       function
=============  ==========================================  ==============================
``morph``      dilate luminance, subtract (paper ref. [6])  :func:`morph.morph_lines`
``xdog``       extended difference of Gaussians             :func:`xdog.xdog_lines`
``blurdiff``   Gaussian blur minus luminance                :func:`blurdiff.blurdiff_lines`
=============  ==========================================  ==============================
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from senga.classical.blurdiff import blurdiff_lines
from senga.classical.morph import morph_lines
from senga.classical.xdog import xdog_lines
from senga.errors import check_known

#: Registry: method name -> ``f(rgb uint8 (H, W, 3), **params) -> ink float32 (H, W)``.
METHODS: dict[str, Callable[..., np.ndarray]] = {
    "morph": morph_lines,
    "xdog": xdog_lines,
    "blurdiff": blurdiff_lines,
}


def method_params(name: str) -> dict[str, Any]:
    """The tunable parameters of method ``name`` with their defaults."""
    fn = _lookup(name)
    params = list(inspect.signature(fn).parameters.values())[1:]  # drop ``rgb``
    return {p.name: p.default for p in params}


def _lookup(name: str) -> Callable[..., np.ndarray]:
    try:
        return METHODS[name]
    except KeyError:
        raise ValueError(
            f"unknown classical method {name!r}; valid names: {', '.join(sorted(METHODS))}"
        ) from None


def extract_classical(name: str, rgb: np.ndarray, **params: Any) -> np.ndarray:
    """Run classical method ``name`` on ``rgb`` (``(H, W, 3) uint8``) -> ``(H, W) float32`` ink.

    Raises:
        ValueError: unknown method (the message lists the valid names), or a
            parameter the method does not have (the message lists its parameters).

    Example:
        >>> img = np.full((9, 9, 3), 255, np.uint8)
        >>> img[4, :] = 0
        >>> extract_classical("morph", img, size=3).shape
        (9, 9)
    """
    check_params(name, params)
    return METHODS[name](rgb, **params)


def check_params(name: str, params: dict[str, Any]) -> None:
    """Raise ``ValueError`` if ``name`` is not a method or ``params`` has a key it does not take."""
    check_known(params, method_params(name), f"classical method {name!r}", "parameter")


def __getattr__(name: str) -> Any:
    # The torch forms load on first use, so that the numpy methods need no torch.
    if name in ("MorphLines", "morph_lines_torch"):
        from senga.classical import morph_torch

        return getattr(morph_torch, name)
    raise AttributeError(f"module 'senga.classical' has no attribute {name!r}")


__all__ = [
    "METHODS",
    "MorphLines",
    "blurdiff_lines",
    "check_params",
    "extract_classical",
    "method_params",
    "morph_lines",
    "morph_lines_torch",
    "xdog_lines",
]
