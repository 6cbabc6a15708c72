"""Reflect padding to a multiple, for any size including 1x1, and exact crop-back."""

from __future__ import annotations

import pytest
import torch

from senga.models.padding import crop_padding, pad_to_multiple, padded_size


def test_padded_size() -> None:
    assert [padded_size(s, 16) for s in (1, 16, 17, 32)] == [16, 16, 32, 32]
    assert padded_size(3, 16, minimum=32) == 32


def test_reflect_padding_by_hand() -> None:
    x = torch.tensor([[1.0, 2.0, 3.0]]).view(1, 1, 1, 3)
    padded, pad = pad_to_multiple(x, 6)
    # H: size 1 cannot reflect -> replicated; W: 3 -> 6 padded (1 left, 2 right) by reflection.
    assert pad == (1, 2, 2, 3)
    assert padded[0, 0, 0].tolist() == [2.0, 1.0, 2.0, 3.0, 2.0, 1.0]
    assert torch.equal(padded[0, 0], padded[0, 0, :1].expand(6, 6))


def test_large_pads_reflect_in_several_steps() -> None:
    x = torch.tensor([1.0, 2.0]).view(1, 1, 1, 2).expand(1, 1, 2, 2)
    padded, pad = pad_to_multiple(x, 8)
    assert pad == (3, 3, 3, 3)
    # mirror of [1, 2] repeated: ... 2 1 2 [1 2] 1 2 1
    assert padded[0, 0, 0].tolist() == [2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0]


@pytest.mark.parametrize("size", [(1, 1), (3, 5), (17, 33), (32, 48)])
def test_crop_undoes_pad(size) -> None:
    x = torch.rand(2, 3, *size)
    padded, pad = pad_to_multiple(x, 16, minimum=32)
    assert padded.shape[-2] % 16 == 0 and padded.shape[-1] % 16 == 0
    assert min(padded.shape[-2:]) >= 32
    assert torch.equal(crop_padding(padded, pad), x)
