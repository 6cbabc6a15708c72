"""Distillation: the warm start copies the teacher's largest-norm channels (a same-width student is
the teacher), the loss on a tiny batch sends gradients to the student only, the teacher stays
frozen, and the trainer runs the ``fast`` preset end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from senga.models import create_model, save_pretrained
from senga.models.generator import scaled_channels
from senga.train import train
from senga.train.config import ConfigError, TrainConfig
from senga.train.distill import distill_params, warm_start_from_teacher
from senga.train.distributed import DistContext
from senga.train.presets import get_preset
from senga.train.steps import DistillStep


def _teacher(seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    model = create_model("senga")
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-0.3, 0.3)
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    return model.eval()


@pytest.fixture
def teacher_dir(tmp_path: Path) -> Path:
    return save_pretrained(_teacher(), tmp_path / "teacher")


def test_scaled_channels() -> None:
    assert [scaled_channels(c, 0.47) for c in (32, 64, 128, 256, 1)] == [16, 32, 64, 120, 1]
    assert scaled_channels(256, 1.0) == 256


def test_warm_start_same_width_is_the_teacher() -> None:
    teacher = _teacher()
    student = create_model("senga")
    warm_start_from_teacher(student, teacher)
    x = torch.rand(1, 3, 48, 64)
    with torch.no_grad():
        assert torch.allclose(student.eval()(x), teacher(x), atol=1e-6)


def test_warm_start_keeps_the_largest_norm_filters() -> None:
    teacher = _teacher()
    student = create_model("senga", width=0.47)
    warm_start_from_teacher(student, teacher)
    t_w = teacher.encoder[0].conv[1].weight
    s_w = student.encoder[0].conv[1].weight
    keep = t_w.flatten(1).norm(dim=1).topk(s_w.shape[0]).indices.sort().values
    assert torch.equal(s_w, t_w[keep])
    assert torch.equal(student.encoder[0].conv[1].bias, teacher.encoder[0].conv[1].bias[keep])
    # the next conv's inputs follow the same channels
    t2 = teacher.encoder[1].conv[1].weight
    keep2 = t2.flatten(1).norm(dim=1).topk(32).indices.sort().values
    assert torch.equal(student.encoder[1].conv[1].weight, t2[keep2][:, keep])
    with pytest.raises(ValueError, match="narrower"):
        warm_start_from_teacher(create_model("senga", width=0.47, attention=False), teacher)


def test_distill_step_trains_student_only(teacher_dir: Path) -> None:
    config = get_preset("fast", data=["synth"], steps=1, teacher=str(teacher_dir), batch=2, crop=32)
    step = DistillStep(config, DistContext())
    step.distribute()
    before_teacher = [p.detach().clone() for p in step.teacher.parameters()]
    before_student = [p.detach().clone() for p in step.generator.parameters()]
    rgb, ink = torch.rand(2, 3, 32, 32), (torch.rand(2, 1, 32, 32) > 0.8).float()
    grads: list[torch.Tensor] = []
    step.generator.encoder[0].conv[1].weight.register_hook(lambda g: grads.append(g))
    terms = step.step(rgb, ink, lambda name, value: None)
    assert set(terms) == {"loss", "soft", "gt"} and torch.isfinite(terms["loss"])
    assert grads and grads[0].abs().sum() > 0  # the gradient reached the student's first conv
    assert all(not p.requires_grad for p in step.teacher.parameters())
    assert not step.teacher.training
    assert all(torch.equal(a, b) for a, b in zip(before_teacher, step.teacher.parameters()))
    assert any(not torch.equal(a, b) for a, b in zip(before_student, step.generator.parameters()))
    assert step.generator.config.width == 0.47


def test_distill_params_are_checked() -> None:
    config = get_preset("fast", data=["synth"], steps=1)
    assert distill_params(config) == {"soft_weight": 10.0, "gt_weight": 0.25, "raw_targets": 1.0}
    config.distill_params = {"temperature": 2.0}
    with pytest.raises(ConfigError, match=r"distill_params\.temperature"):
        distill_params(config)


def test_fast_preset_trains_and_resumes(teacher_dir: Path, tmp_path: Path) -> None:
    config = get_preset(
        "fast",
        data=["synth:size=64"],
        steps=2,
        teacher=str(teacher_dir),
        batch=2,
        crop=32,
        workers=0,
        val="synth:n=1,size=48",
        val_every=2,
        ckpt_every=1,
        log_every=1,
        sample_every=100,
    )
    result = train(config, tmp_path / "run", progress=False)
    assert result.steps == 2 and (tmp_path / "run" / "last" / "model.safetensors").is_file()
    from senga.models import from_pretrained

    assert from_pretrained(tmp_path / "run" / "best").config.width == 0.47
    saved = TrainConfig.load(tmp_path / "run" / "config.json")
    assert saved.teacher == str(teacher_dir)
    saved.steps = 3
    assert train(saved, tmp_path / "run", resume=True, progress=False).steps == 3
