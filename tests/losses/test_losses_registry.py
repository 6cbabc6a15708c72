"""build_loss: names map to the modules, parameters pass through, errors list what is valid."""

from __future__ import annotations

import pytest

from senga.losses import LOSSES, DiceLoss, LaplacianWeightedLoss, PaperLoss, Pix2PixLoss, build_loss


def test_names_build_the_modules_with_their_parameters():
    assert sorted(LOSSES) == ["dice", "laplacian", "paper", "pix2pix"]
    paper = build_loss("paper", indicator="power:200", bce_weight=0.0)
    assert isinstance(paper, PaperLoss) and paper.bce_weight == 0.0 and paper.indicator_spec == "power:200"
    assert isinstance(build_loss("dice"), DiceLoss)
    assert isinstance(build_loss("laplacian", alpha=1.0), LaplacianWeightedLoss)
    gan = build_loss("pix2pix", lambda_l1=10.0)
    assert isinstance(gan, Pix2PixLoss) and gan.adversarial and gan.lambda_l1 == 10.0


def test_errors_list_valid_names_and_parameters():
    with pytest.raises(
        ValueError, match="unknown loss 'focal'; valid names: dice, laplacian, paper, pix2pix"
    ):
        build_loss("focal")
    with pytest.raises(
        ValueError, match=r"loss 'dice': unknown parameter 'gamma' \(valid parameters: dice_weight, bce_w"
    ):
        build_loss("dice", gamma=2)
