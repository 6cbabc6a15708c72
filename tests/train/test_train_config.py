"""TrainConfig: the paper's defaults, overrides from strings, JSON round trip, clear errors."""

from __future__ import annotations

import pytest

from senga.train.config import ConfigError, TrainConfig, apply_overrides, field_names, parse_sets, parse_value


def test_defaults_are_the_papers() -> None:
    c = TrainConfig()
    assert (c.batch, c.crop, c.lr, c.betas, c.seed) == (15, 256, 1e-3, (0.9, 0.999), 0)
    assert c.epochs == 20000 and c.steps is None  # "up to 20,000 epochs"
    assert c.loss == "paper"
    assert c.loss_params == {
        "indicator": "linear:0.1,0.9",
        "cancellation": True,
        "f1_weight": 1.0,
        "bce_weight": 0.001,
    }
    assert c.lr_schedule == "constant" and c.grad_clip is None and c.amp == "none"


def test_json_round_trip_keeps_every_field(tmp_path) -> None:
    c = apply_overrides(TrainConfig(data=["synth"]), {"steps": 7, "betas": (0.5, 0.9), "val": "synth:n=2"})
    assert TrainConfig.from_json(c.to_json()) == c
    c.save(tmp_path / "config.json")
    assert TrainConfig.load(tmp_path / "config.json") == c


def test_unknown_field_names_it_and_lists_valid_ones() -> None:
    with pytest.raises(ConfigError) as err:
        TrainConfig.from_dict({"crop": 64, "learning_rate": 0.1})
    msg = str(err.value)
    assert "'learning_rate'" in msg and "valid fields:" in msg
    assert all(name in msg for name in field_names())
    with pytest.raises(ConfigError, match="unknown config field 'cropp'"):
        apply_overrides(TrainConfig(), {"cropp": 3})


def test_string_overrides_are_converted_to_field_types() -> None:
    c = apply_overrides(
        TrainConfig(),
        {
            "crop": "64",
            "lr": "2e-4",
            "betas": "[0.5, 0.999]",
            "channels_last": "on",
            "grad_clip": "null",
            "loss_params.cancellation": "off",
            "model_config.morph_input": "true",
            "val": "none",
        },
    )
    assert (c.crop, c.lr, c.betas, c.channels_last, c.grad_clip, c.val) == (
        64,
        2e-4,
        (0.5, 0.999),
        True,
        None,
        None,
    )
    assert c.loss_params["cancellation"] is False and c.model_config == {"morph_input": True}


def test_steps_and_epochs_replace_each_other() -> None:
    c = apply_overrides(TrainConfig(), {"steps": 10})
    assert (c.steps, c.epochs) == (10, None)
    c = apply_overrides(c, {"epochs": 3})
    assert (c.steps, c.epochs) == (None, 3)
    with pytest.raises(ConfigError, match="steps/epochs: set one of them, not both"):
        TrainConfig(steps=1, epochs=1)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"crop": "abc"}, "crop: expected int, got 'abc'"),
        ({"batch": 0}, "batch: must be >= 1, got 0"),
        ({"lr": -1.0}, "lr: must be a positive number"),
        ({"amp": "fp8"}, "amp: unknown 'fp8' (valid: none, bf16)"),
        ({"lr_schedule": "poly"}, "lr_schedule: unknown 'poly'"),
        ({"device": "tpu"}, "device: expected auto, cpu, cuda or cuda:N"),
        ({"crop.x": 1}, "'crop' is not a dict field"),
        ({"betas": [0.5]}, "betas: expected"),
    ],
)
def test_bad_values_name_the_field(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        apply_overrides(TrainConfig(), overrides)
    assert message in str(err.value)


def test_parse_value() -> None:
    assert [parse_value(s) for s in ("3", "1e-3", "on", "off", "null", "[1, 2]", "power:100")] == [
        3,
        1e-3,
        True,
        False,
        None,
        [1, 2],
        "power:100",
    ]


def test_validation_tiling_is_checked_up_front() -> None:
    with pytest.raises(ConfigError, match="val_tile / val_overlap: tile must be >= 32"):
        TrainConfig(val_tile=16)
    with pytest.raises(ConfigError, match="val_tile / val_overlap: overlap must be between 0 and 2 \\* tile"):
        TrainConfig(val_tile=64, val_overlap=-1)


def test_set_items_split_once_and_typed_on_request() -> None:
    assert parse_sets(["lr=1e-3", "val=synth:n=2", "init=123"]) == {
        "lr": "1e-3",
        "val": "synth:n=2",
        "init": "123",
    }
    assert parse_sets(["grad_clip=null", "betas=[0.5, 0.9]"], typed=True) == {
        "grad_clip": None,
        "betas": [0.5, 0.9],
    }
    with pytest.raises(ConfigError, match="--set '=3': expected FIELD=VALUE"):
        parse_sets(["=3"])
