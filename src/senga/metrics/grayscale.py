"""Exact grayscale precision, recall and F1 (docs/paper.md, eqs. 4-6) and RMSE.

Three layers, each written once and shared by numpy and torch:

1. statistics: :func:`shared_ink` (per pixel ``min{G,H} / max{G,H,eps}``) and
   :func:`ink_statistics` (its per-image sum and the ink counts
   ``sum [H>0]``, ``sum [G>0]``);
2. formulas: :func:`precision`, :func:`recall`, :func:`f1` (eqs. 4-6) and
   :func:`rmse`, with zero denominators handled in one place (:func:`_divide`);
3. reduction: a batch gives per-image values of shape ``(N,)``; a data set's
   score is the mean of per-image scores (:func:`mean_scores`).

Inputs are ink maps (1 = black line, 0 = paper), float in [0, 1], shaped
``(H, W)`` (one image), ``(N, H, W)`` or ``(N, 1, H, W)`` (a batch). A single
image gives a Python ``float`` for numpy and a 0-dim tensor for torch; a
batch gives a ``(N,)`` float64 array for numpy and a ``(N,)`` tensor for torch.

Zero denominators: when neither map has ink, P = R = F1 = 1 (nothing to find,
nothing wrongly found); when only one has ink, the undefined ratio is 0.

Torch is never imported here: a tensor is recognised only if torch is already
loaded, so ``senga eval`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np

#: ``eps`` of the paper's footnote: the per-pixel denominator is ``max{G, H, eps}``.
DEFAULT_EPS: float = 1e-8

#: Keys of :func:`scores`, in report order.
SCORE_KEYS: tuple[str, ...] = ("P", "R", "F1", "RMSE")

Array = Any  # np.ndarray | torch.Tensor (torch is imported lazily)


class InkStats(NamedTuple):
    """Per-image sums behind eqs. 4-6 (scalars for one image, ``(N,)`` for a batch)."""

    shared: Array  #: ``sum_p min{G_p, H_p} / max{G_p, H_p, eps}``
    pred_ink: Array  #: ``sum_p [H_p > 0]``
    gt_ink: Array  #: ``sum_p [G_p > 0]``


def _is_torch(x: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def shared_ink(pred: Array, gt: Array, eps: float = DEFAULT_EPS) -> Array:
    r"""Per-pixel shared ink ``min{G,H} / max{G,H,eps}`` (the summand of eqs. 4-6 and 9).

    .. math::
        s_p = \frac{\min\{G_p, H_p\}}{\max\{G_p, H_p, \epsilon\}}

    Elementwise on any shape; numpy or torch (differentiable, used by
    :mod:`senga.losses`). A perfect match gives 1, no shared ink gives 0.
    Where both maps are 0 the value is exactly 0 *and* so is the torch
    gradient: a plain ``min / max.clamp(eps)`` would send ``1 / (2 eps)``
    through ``min``'s tie there, although the true one-sided derivative is 0.

    Args:
        pred: H, the predicted ink map.
        gt: G, the ground-truth ink map, same shape.
        eps: the paper's footnote epsilon (> 0).
    """
    if _is_torch(pred):
        import torch

        lo, hi = torch.minimum(pred, gt), torch.maximum(pred, gt)
        return torch.where(hi > 0, lo / hi.clamp_min(eps), torch.zeros_like(lo))
    lo, hi = np.minimum(pred, gt), np.maximum(pred, gt)
    return np.where(hi > 0, lo / np.maximum(hi, eps), 0.0)


def _as_maps(pred: Array, gt: Array) -> tuple[Array, Array, bool]:
    """Check a (pred, gt) pair; return float ``(H, W)`` or ``(N, H, W)`` maps and ``batched``."""
    if _is_torch(pred) != _is_torch(gt):
        raise TypeError(
            f"pred and gt must both be numpy arrays or both torch tensors, "
            f"got {type(pred).__name__} and {type(gt).__name__}"
        )
    if not _is_torch(pred):
        pred, gt = np.asarray(pred), np.asarray(gt)
    if tuple(pred.shape) != tuple(gt.shape):
        raise ValueError(f"pred and gt shapes differ: {tuple(pred.shape)} vs {tuple(gt.shape)}")
    shape = tuple(pred.shape)
    if len(shape) not in (2, 3, 4) or (len(shape) == 4 and shape[1] != 1):
        raise ValueError(f"expected ink maps shaped (H, W), (N, H, W) or (N, 1, H, W), got {shape}")
    if len(shape) == 4:
        pred, gt = pred[:, 0], gt[:, 0]
    return _to_float(pred), _to_float(gt), len(shape) > 2


def _to_float(x: Array) -> Array:
    if _is_torch(x):
        import torch

        if x.dtype == torch.bool:
            return x.float()
        if not x.is_floating_point():
            raise ValueError(
                f"ink maps must be float in [0, 1], got {x.dtype} "
                "(convert 8-bit luminance with senga.io.gray_to_ink)"
            )
        return x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
    if x.dtype == np.bool_ or np.issubdtype(x.dtype, np.floating):
        return x.astype(np.float64, copy=False)
    raise ValueError(
        f"ink maps must be float in [0, 1], got {x.dtype} (convert 8-bit luminance with senga.io.gray_to_ink)"
    )


def _has_ink(x: Array) -> Array:
    """``[x > 0]`` as a float map of ``x``'s dtype."""
    return (x > 0).to(x.dtype) if _is_torch(x) else (x > 0).astype(x.dtype)


def _image_sum(x: Array) -> Array:
    return x.sum(dim=(-2, -1)) if _is_torch(x) else x.sum(axis=(-2, -1))


def _divide(num: Array, den: Array, fallback: Array | float) -> Array:
    """``num / den`` where ``den > 0``, else ``fallback`` (the one place zero division is decided)."""
    if _is_torch(num):
        import torch

        fallback = torch.as_tensor(fallback, dtype=num.dtype, device=num.device)
        return torch.where(den > 0, num / den.clamp_min(1e-30), fallback)
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), fallback)


def _where_zero(count: Array, if_zero: float, otherwise: float) -> Array:
    if _is_torch(count):
        import torch

        return torch.where(count == 0, if_zero, otherwise).to(count.dtype)
    return np.where(count == 0, if_zero, otherwise)


def _finish(value: Array, batched: bool) -> Array:
    if _is_torch(value):
        return value
    return np.asarray(value, dtype=np.float64) if batched else float(value)


def ink_statistics(pred: Array, gt: Array, eps: float = DEFAULT_EPS) -> InkStats:
    """Per-image shared ink and ink counts: the statistics eqs. 4-6 are built from.

    Args:
        pred: H, ``(H, W)``, ``(N, H, W)`` or ``(N, 1, H, W)`` ink map(s).
        gt: G, same shape.
        eps: the paper's footnote epsilon.

    Returns:
        :class:`InkStats` of scalars (one image) or ``(N,)`` arrays/tensors.
    """
    pred, gt = _as_maps(pred, gt)[:2]
    return InkStats(
        shared=_image_sum(shared_ink(pred, gt, eps)),
        pred_ink=_image_sum(_has_ink(pred)),
        gt_ink=_image_sum(_has_ink(gt)),
    )


def _precision(st: InkStats) -> Array:
    return _divide(st.shared, st.pred_ink, _where_zero(st.gt_ink, 1.0, 0.0))


def _recall(st: InkStats) -> Array:
    return _divide(st.shared, st.gt_ink, _where_zero(st.pred_ink, 1.0, 0.0))


def _f1(st: InkStats) -> Array:
    return _divide(2.0 * st.shared, st.pred_ink + st.gt_ink, 1.0)


def _rmse(pred: Array, gt: Array) -> Array:
    sq = (pred - gt) ** 2
    mean = sq.mean(dim=(-2, -1)) if _is_torch(sq) else sq.mean(axis=(-2, -1))
    return mean.sqrt() if _is_torch(mean) else np.sqrt(mean)


def precision(pred: Array, gt: Array, eps: float = DEFAULT_EPS) -> Array:
    r"""Exact grayscale precision, eq. 4.

    .. math::
        P = \frac{\sum_p \min\{G_p,H_p\} / \max\{G_p,H_p,\epsilon\}}{\sum_p [H_p > 0]}

    1.0 when neither map has ink, 0.0 when only G has ink. Shapes: see module docstring.
    """
    pred, gt, batched = _as_maps(pred, gt)
    return _finish(_precision(ink_statistics(pred, gt, eps)), batched)


def recall(pred: Array, gt: Array, eps: float = DEFAULT_EPS) -> Array:
    r"""Exact grayscale recall, eq. 5.

    .. math::
        R = \frac{\sum_p \min\{G_p,H_p\} / \max\{G_p,H_p,\epsilon\}}{\sum_p [G_p > 0]}

    1.0 when neither map has ink, 0.0 when only H has ink.
    """
    pred, gt, batched = _as_maps(pred, gt)
    return _finish(_recall(ink_statistics(pred, gt, eps)), batched)


def f1(pred: Array, gt: Array, eps: float = DEFAULT_EPS) -> Array:
    r"""Exact grayscale F1, eq. 6.

    .. math::
        F_1 = \frac{2 \sum_p \min\{G_p,H_p\} / \max\{G_p,H_p,\epsilon\}}
                   {\sum_p ([H_p > 0] + [G_p > 0])}

    1.0 when neither map has ink. For binary maps this is eq. 3.
    """
    pred, gt, batched = _as_maps(pred, gt)
    return _finish(_f1(ink_statistics(pred, gt, eps)), batched)


def rmse(pred: Array, gt: Array) -> Array:
    r"""Root-mean-square error per image: :math:`\sqrt{\frac{1}{|p|}\sum_p (H_p - G_p)^2}`."""
    pred, gt, batched = _as_maps(pred, gt)
    return _finish(_rmse(pred, gt), batched)


def scores(pred: Array, gt: Array, eps: float = DEFAULT_EPS) -> dict[str, Array]:
    """P, R, F1 (eqs. 4-6) and RMSE in one pass.

    Args:
        pred: H, ``(H, W)``, ``(N, H, W)`` or ``(N, 1, H, W)``, numpy or torch.
        gt: G, same shape and kind.
        eps: the paper's footnote epsilon.

    Returns:
        ``{"P", "R", "F1", "RMSE"}`` -> float / 0-dim tensor (one image) or
        ``(N,)`` per-image values (a batch).

    Example::

        >>> import numpy as np
        >>> scores(np.array([[1.0, 0.5]]), np.array([[0.5, 0.0]]))["P"]
        0.25
    """
    pred, gt, batched = _as_maps(pred, gt)
    st = ink_statistics(pred, gt, eps)
    values = {"P": _precision(st), "R": _recall(st), "F1": _f1(st), "RMSE": _rmse(pred, gt)}
    return {k: _finish(v, batched) for k, v in values.items()}


def mean_scores(rows: Iterable[Mapping[str, Any]], keys: Iterable[str] = SCORE_KEYS) -> dict[str, float]:
    """Data-set score: the mean of per-image scores (docs/paper.md, "Details the paper leaves open").

    Args:
        rows: mappings such as :func:`scores` returns; each value is a float
            (one image) or a ``(N,)`` array/tensor (a batch of N images).
        keys: which keys to average.

    Returns:
        ``{key: mean over all images}`` plus ``"n"``, the number of images.

    Raises:
        ValueError: no images, or keys with different image counts.
    """
    keys = tuple(keys)
    collected: dict[str, list[np.ndarray]] = {k: [] for k in keys}
    for row in rows:
        for k in keys:
            v = row[k]
            if _is_torch(v):
                v = v.detach().cpu().double().numpy()
            collected[k].append(np.atleast_1d(np.asarray(v, dtype=np.float64)).ravel())
    values = {k: np.concatenate(v) if v else np.zeros(0) for k, v in collected.items()}
    counts = {len(v) for v in values.values()}
    if len(counts) != 1 or 0 in counts:
        raise ValueError(
            f"mean_scores needs the same non-zero number of images per key, got {sorted(counts)}"
        )
    out: dict[str, float] = {k: float(v.mean()) for k, v in values.items()}
    out["n"] = counts.pop()
    return out
