"""Devices and PyTorch DDP: one process per GPU (or CPU process), launched by ``torchrun``.

``torchrun --nproc_per_node N -m senga train ...`` sets ``RANK``, ``WORLD_SIZE``
and ``LOCAL_RANK``; :func:`setup` sees them and joins the process group (NCCL
on CUDA, Gloo on CPU). Without them training runs in one process. Each rank
draws its own data stream (``senga.data.seeding``: sample ``i`` of rank ``r``),
the generator is wrapped in :class:`~torch.nn.parallel.DistributedDataParallel`
(gradients averaged across ranks), and only rank 0 writes files and logs.

Example::

    ctx = setup("auto")
    try:
        model = wrap(model, ctx)
        ...
    finally:
        teardown(ctx)
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn

from senga.runtime import resolve_device  # one meaning of a device name: "cuda" is cuda:LOCAL_RANK

#: How long ranks wait for each other (rank 0 validates while the others wait).
PROCESS_GROUP_TIMEOUT = datetime.timedelta(minutes=60)


@dataclass(frozen=True)
class DistContext:
    """Where this process runs: ``rank`` of ``world_size``, on ``device``."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    device: torch.device = torch.device("cpu")
    initialized_here: bool = False  # this process group was created by setup()

    @property
    def is_main(self) -> bool:
        """Rank 0: the only process that writes files and logs."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def launched_by_torchrun() -> bool:
    """True when ``RANK`` and ``WORLD_SIZE`` are in the environment."""
    return "RANK" in os.environ and "WORLD_SIZE" in os.environ


def setup(device: str = "auto") -> DistContext:
    """The context of this process; joins the process group when launched by torchrun."""
    if not launched_by_torchrun():
        return DistContext(device=resolve_device(device))
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    dev = resolve_device(device, local_rank)
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
    created = False
    if world > 1 and not dist.is_initialized():
        backend = "nccl" if dev.type == "cuda" else "gloo"
        dist.init_process_group(backend=backend, timeout=PROCESS_GROUP_TIMEOUT)
        created = True
    return DistContext(
        rank=rank, world_size=world, local_rank=local_rank, device=dev, initialized_here=created
    )


def teardown(ctx: DistContext) -> None:
    """Leave the process group if :func:`setup` joined it."""
    if ctx.initialized_here and dist.is_initialized():
        dist.destroy_process_group()


def wrap(model: nn.Module, ctx: DistContext, sync_bn: bool = False) -> nn.Module:
    """``model`` for training: DDP-wrapped (optionally with SyncBatchNorm) when distributed."""
    if not ctx.distributed:
        return model
    if sync_bn:
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    ids = [ctx.device.index] if ctx.device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(model, device_ids=ids)


def average_gradients(model: nn.Module, ctx: DistContext) -> None:
    """All-reduce and average the gradients of a model that is not DDP-wrapped (the GAN discriminator)."""
    if not ctx.distributed:
        return
    for p in model.parameters():
        if p.grad is not None:
            dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
            p.grad.div_(ctx.world_size)


def all_finite(value: torch.Tensor, ctx: DistContext) -> bool:
    """True when ``value`` is finite on every rank (so all ranks stop together)."""
    ok = torch.isfinite(value.detach()).all().to(torch.float32).reshape(1)
    if ctx.distributed:
        ok = ok.to(ctx.device)
        dist.all_reduce(ok, op=dist.ReduceOp.MIN)
    return bool(ok.item() > 0)


def gather_objects(obj: object, ctx: DistContext) -> list[object]:
    """``[obj of rank 0, obj of rank 1, ...]`` on every rank (``[obj]`` without DDP)."""
    if not ctx.distributed:
        return [obj]
    out: list[object] = [None] * ctx.world_size
    dist.all_gather_object(out, obj)
    return out


def barrier(ctx: DistContext) -> None:
    if ctx.distributed:
        dist.barrier()
