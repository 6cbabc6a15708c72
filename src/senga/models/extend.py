"""Widen a pretrained generator with the zero-initialised options, keeping its output exactly.

``widen_pretrained(model, contrast_input=True, dilated_blocks=1)`` builds the
same network with the new options (:mod:`senga.models.hardcase_blocks`) and
copies every pretrained tensor into it: the first conv and the input skip get
the old weights in their first input channels (the contrast channels come last
and stay 0), new blocks keep their identity init. The result computes exactly
what the pretrained model computes (tested), so a fine-tune from it (``senga
train --init DIR`` with the same ``model_config``) starts at today's model.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import torch

from senga.models.generator import SengaGenerator

#: The fields :func:`widen_pretrained` may switch on (each starts as a no-op).
WIDENING_FIELDS: tuple[str, ...] = ("contrast_input", "dilated_blocks")


def widen_pretrained(model: SengaGenerator, **fields: Any) -> SengaGenerator:
    """A copy of ``model`` with ``fields`` (of :data:`WIDENING_FIELDS`) set, computing the same output.

    Raises:
        ValueError: a field that is not a widening option, or a model already having it set differently
            in a way that cannot be widened (e.g. contrast channels switched off).
    """
    bad = sorted(set(fields) - set(WIDENING_FIELDS))
    if bad:
        raise ValueError(
            f"widen_pretrained: {', '.join(bad)} cannot be widened (valid: {', '.join(WIDENING_FIELDS)})"
        )
    old = model.config
    if old.contrast_input and fields.get("contrast_input", True) is False:
        raise ValueError("widen_pretrained: contrast_input cannot be switched off")
    if fields.get("dilated_blocks", old.dilated_blocks) < old.dilated_blocks:
        raise ValueError("widen_pretrained: dilated_blocks cannot shrink")
    new = SengaGenerator(replace(old, **fields))
    target = new.state_dict()
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            dst = target[name]
            if dst.shape == tensor.shape:
                dst.copy_(tensor)
            elif dst.ndim == 4 and dst.shape[0] == tensor.shape[0] and dst.shape[2:] == tensor.shape[2:]:
                dst[:, : tensor.shape[1]].copy_(tensor)  # extra input channels come last, stay 0
            else:
                raise ValueError(
                    f"widen_pretrained: {name} is {tuple(tensor.shape)}, cannot widen to {tuple(dst.shape)}"
                )
    new.load_state_dict(target)
    new.train(model.training)
    return new
