"""Learning-rate schedules: values computed by hand."""

from __future__ import annotations

import pytest

from senga.train.config import TrainConfig
from senga.train.steps import lr_at


def test_constant_is_the_papers() -> None:
    c = TrainConfig(steps=10)
    assert [lr_at(s, 10, c) for s in (0, 5, 9)] == [1e-3, 1e-3, 1e-3]


def test_warmup_then_cosine() -> None:
    c = TrainConfig(steps=12, lr=1.0, lr_schedule="cosine", warmup_steps=2, min_lr_ratio=0.1)
    assert lr_at(0, 12, c) == pytest.approx(0.5)  # (0 + 1) / 2
    assert lr_at(1, 12, c) == pytest.approx(1.0)
    assert lr_at(2, 12, c) == pytest.approx(1.0)  # cosine starts at lr
    # t = (7 - 2) / (12 - 2 - 1) = 5/9: 0.1 + 0.9 * (1 + cos(5 pi / 9)) / 2
    assert lr_at(7, 12, c) == pytest.approx(0.1 + 0.9 * (1 + -0.17364817766693033) / 2)
    assert lr_at(11, 12, c) == pytest.approx(0.1)  # the last step reaches the floor
