"""Distillation: train a narrower generator to reproduce a frozen teacher (the bundled model).

The student is a :class:`senga.models.SengaGenerator` with a smaller ``width``
(the ``fast`` preset: ``width=0.47``, about a quarter of the teacher's FLOPs
per pixel, docs/fast_model.md). Two pieces:

* :func:`warm_start_from_teacher`: the student starts from the teacher's
  weights, keeping in every layer the output channels whose filters have the
  largest L2 norm (and, for the inputs of the next layer, the matching
  channels), so it begins as a pruned copy of the teacher instead of noise;
* :class:`senga.train.steps.DistillStep` (a ``TrainStep``, built from these): each batch
  goes through the frozen teacher (eval mode, no gradient, raw output without
  its ink floor) and the student; the loss is

  ``soft_weight * BCE(S(x), T(x)) + gt_weight * objective(S(x), y)``

  with ``objective`` the run's supervised loss (the paper's 1/F1~ + 0.001 BCE,
  eqs. 4-8 of docs/paper.md) against the ground truth ``y`` of the pair.

``TrainConfig.teacher`` (a model name or folder) switches the trainer to this
step; ``TrainConfig.distill_params`` holds ``soft_weight`` / ``gt_weight`` /
``raw_targets`` (1: the teacher's raw output, 0: with its ink floor).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import torch
from torch import Tensor, nn

from senga.losses.bce import binary_cross_entropy
from senga.models.generator import SengaGenerator
from senga.models.pretrained import from_pretrained
from senga.train.config import ConfigError, TrainConfig

#: Defaults of ``TrainConfig.distill_params``.
DISTILL_DEFAULTS: dict[str, float] = {"soft_weight": 10.0, "gt_weight": 0.25, "raw_targets": 1.0}

# An input layout: the segments of a conv's input channels, each (teacher channels, kept indices).
_Layout = Sequence[tuple[int, Tensor]]


def _conv_of(block: nn.Module) -> nn.Conv2d:
    conv = block.conv[1] if isinstance(block.conv, nn.Sequential) else block.conv
    assert isinstance(conv, nn.Conv2d)
    return conv


def _conv_at(module: nn.Module, path: str) -> nn.Conv2d:
    """The convolution at ``path`` (dotted names, e.g. ``"body.0.1"``)."""
    conv = module.get_submodule(path)
    assert isinstance(conv, nn.Conv2d)
    return conv


def _top_channels(weight: Tensor, keep: int) -> Tensor:
    """Indices (sorted) of the ``keep`` output filters of ``weight (Cout, Cin, k, k)`` with the largest L2 norm."""
    if keep >= weight.shape[0]:
        return torch.arange(weight.shape[0])
    norms = weight.detach().float().flatten(1).norm(dim=1)
    return norms.topk(keep).indices.sort().values


def _input_index(layout: _Layout) -> Tensor:
    parts, offset = [], 0
    for size, kept in layout:
        parts.append(kept + offset)
        offset += size
    return torch.cat(parts)


def _copy_conv(src: nn.Conv2d, dst: nn.Conv2d, out_idx: Tensor, in_layout: _Layout) -> None:
    in_idx = _input_index(in_layout)
    dst.weight.copy_(src.weight[out_idx][:, in_idx])
    if dst.bias is not None and src.bias is not None:
        dst.bias.copy_(src.bias[out_idx])


def _copy_norm(src: object, dst: object, idx: Tensor) -> None:
    if isinstance(src, nn.BatchNorm2d) and isinstance(dst, nn.BatchNorm2d):
        for name in ("weight", "bias", "running_mean", "running_var"):
            getattr(dst, name).copy_(getattr(src, name)[idx])


@torch.no_grad()
def warm_start_from_teacher(student: SengaGenerator, teacher: SengaGenerator) -> None:
    """Copy into ``student`` the teacher's weights restricted to its largest-norm channels.

    Both must be ``SengaGenerator`` s with the same structure flags (attention,
    input skip, kernel, no extra blocks); only ``width`` may differ. The residual
    stream (e4 and both residual blocks' outputs) keeps one channel set, the
    bottleneck's, so the identity paths stay aligned; every other layer picks
    its own. Batch-norm parameters and running statistics follow their channels;
    the attention modules are copied whole. Shapes: teacher conv
    ``(Cout, Cin, k, k)`` -> student ``(cout, cin, k, k)``, ``cout <= Cout``.

    Raises:
        ValueError: the two differ in anything but width, or the student is wider.
    """
    a, b = (
        replace(teacher.config, width=1.0, ink_floor=0.0),
        replace(student.config, width=1.0, ink_floor=0.0),
    )
    a, b = replace(a, name=b.name), b
    if a != b or teacher.context is not None:
        raise ValueError(
            f"warm start: the student ({student.config}) must be the teacher ({teacher.config}) but narrower"
        )
    net_in = teacher.config.net_in_channels
    layout: list[tuple[int, Tensor]] = [(net_in, torch.arange(net_in))]
    enc_idx: list[Tensor] = []
    for t_block, s_block in zip(teacher.encoder, student.encoder):
        t_conv, s_conv = _conv_of(t_block), _conv_of(s_block)
        if s_conv.out_channels > t_conv.out_channels:
            raise ValueError("warm start: the student is wider than the teacher")
        idx = _top_channels(t_conv.weight, s_conv.out_channels)
        _copy_conv(t_conv, s_conv, idx, layout)
        _copy_norm(t_block.get_submodule("norm"), s_block.get_submodule("norm"), idx)
        enc_idx.append(idx)
        layout = [(t_conv.out_channels, idx)]
    stream = enc_idx[-1]
    bottleneck = _conv_of(teacher.encoder[-1]).out_channels
    for t_res, s_res in zip(teacher.residual, student.residual):
        t1, s1 = _conv_at(t_res, "body.0.1"), _conv_at(s_res, "body.0.1")
        mid = _top_channels(t1.weight, s1.out_channels)
        _copy_conv(t1, s1, mid, [(bottleneck, stream)])
        _copy_norm(t_res.get_submodule("body.1"), s_res.get_submodule("body.1"), mid)
        _copy_conv(_conv_at(t_res, "body.3.1"), _conv_at(s_res, "body.3.1"), stream, [(t1.out_channels, mid)])
        _copy_norm(t_res.get_submodule("body.4"), s_res.get_submodule("body.4"), stream)
    enc_ch = [_conv_of(blk).out_channels for blk in teacher.encoder]
    skips: list[tuple[int, Tensor] | None] = [
        None,
        (enc_ch[2], enc_idx[2]),
        (enc_ch[1], enc_idx[1]),
        (enc_ch[0], enc_idx[0]),
        None,
        None,
    ]
    if teacher.config.input_skip:
        skips[-1] = (net_in, torch.arange(net_in))
    layout = [(bottleneck, stream)]
    for k, (t_block, s_block) in enumerate(zip(teacher.decoder, student.decoder)):
        t_conv, s_conv = _conv_of(t_block), _conv_of(s_block)
        skip = skips[k]
        in_layout = layout + ([skip] if skip is not None else [])
        idx = _top_channels(t_conv.weight, s_conv.out_channels)
        _copy_conv(t_conv, s_conv, idx, in_layout)
        _copy_norm(t_block.get_submodule("norm"), s_block.get_submodule("norm"), idx)
        layout = [(t_conv.out_channels, idx)]
    if teacher.attention is not None and student.attention is not None:
        student.attention.load_state_dict(teacher.attention.state_dict())


def distill_params(config: TrainConfig) -> dict[str, float]:
    """``DISTILL_DEFAULTS`` updated with ``config.distill_params``.

    Raises:
        ConfigError: an unknown key or a negative weight.
    """
    params = dict(DISTILL_DEFAULTS)
    for key, value in config.distill_params.items():
        if key not in DISTILL_DEFAULTS:
            raise ConfigError(f"distill_params.{key}: unknown (valid: {', '.join(DISTILL_DEFAULTS)})")
        if float(value) < 0:
            raise ConfigError(f"distill_params.{key}: must be >= 0, got {value}")
        params[key] = float(value)
    return params


def load_teacher(name: str, device: torch.device, raw: bool = True) -> nn.Module:
    """The frozen teacher: weights ``name`` (a bundled name or folder), eval mode, no gradients;
    ``raw``: without its ink floor (else its outputs below the floor are 0, as it ships)."""
    teacher = from_pretrained(name, map_location=device, ink_floor=0.0 if raw else None)
    teacher.eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    if hasattr(teacher, "memory_format"):
        teacher = teacher.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # stubs lack memory_format
    return teacher


def distill_loss(
    student_ink: Tensor,
    teacher_ink: Tensor,
    gt: Tensor,
    rgb: Tensor,
    objective: Callable[[Tensor, Tensor, Tensor], Tensor],
    params: dict[str, float],
) -> dict[str, Tensor]:
    """The loss terms of one batch; all ``(N, 1, H, W)`` in [0, 1] (``rgb (N, 3, H, W)``).

    Returns ``{"loss", "soft", "gt"}``: ``soft = BCE(student, teacher)`` (mean
    over pixels, the teacher's probabilities as soft targets), ``gt =
    objective(student, gt)``, ``loss = soft_weight * soft + gt_weight * gt``.
    Computed in float32.
    """
    with torch.autocast(student_ink.device.type, enabled=False):
        s = student_ink.float()
        soft = binary_cross_entropy(s, teacher_ink.float().detach())
        gt_term = objective(s, gt, rgb) if params["gt_weight"] > 0 else s.new_zeros(())
        loss = params["soft_weight"] * soft + params["gt_weight"] * gt_term
    return {"loss": loss, "soft": soft, "gt": gt_term}


def fast_preset_overrides() -> dict[str, Any]:
    """The model fields of the ``fast`` student (kept here beside the warm start that assumes them)."""
    return {"width": 0.47, "ink_floor": 0.0625}
