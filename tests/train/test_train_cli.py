"""``senga train``: flags become config fields, errors are one line with exit code 2, --resume."""

from __future__ import annotations

import json

import pytest
from training import TINY_TRAIN_FLAGS

from senga.cli.main import build_parser, main
from senga.cli.train import collect_overrides


def _tiny_flags(pairs) -> list[str]:
    return [
        "--data",
        str(pairs["train"]),
        *TINY_TRAIN_FLAGS,
        "--set",
        "log_every=1",
        "--set",
        "val_tile=64",
        "--set",
        "val_overlap=0",
        "-q",
    ]


def test_flags_map_to_config_fields() -> None:
    args = build_parser().parse_args(
        [
            "train",
            "--preset",
            "ours",
            "--data",
            "a",
            "--data",
            "synth:weight=2",
            "--indicator",
            "power:100",
            "--cancellation",
            "off",
            "--f1-weight",
            "2",
            "--bce-weight",
            "0.01",
            "--lr",
            "5e-4",
            "--epochs",
            "3",
            "--seed",
            "7",
            "--set",
            "amp=bf16",
            "--out",
            "run",
        ]
    )
    assert collect_overrides(args) == {
        "indicator": "power:100",
        "cancellation": False,
        "f1_weight": 2.0,
        "bce_weight": 0.01,
        "lr": 5e-4,
        "epochs": 3,
        "seed": 7,
        "data": ["a", "synth:weight=2"],
        "amp": "bf16",
    }


def test_train_then_resume_to_extend(pairs, tmp_path, capsys) -> None:
    run = tmp_path / "run"
    flags = _tiny_flags(pairs)
    assert (
        main(
            [
                "train",
                "--preset",
                "dice",
                *flags,
                "--val",
                str(pairs["val"]),
                "--steps",
                "1",
                "--out",
                str(run),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("trained 1 steps in ") and str(run / "best") in out
    config = json.loads((run / "config.json").read_text())
    assert (config["loss"], config["crop"], config["steps"], config["val"]) == (
        "dice",
        32,
        1,
        str(pairs["val"]),
    )
    assert main(["train", "--resume", str(run), "--steps", "2", "-q"]) == 0
    assert json.loads((run / "last" / "checkpoint.json").read_text())["step"] == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--data", "/no/such/dir"],
            "senga: error: bad data spec '/no/such/dir': folder '/no/such/dir' does not exist",
        ),
        (
            ["--data", "synth:weight=-1"],
            "senga: error: bad data spec 'synth:weight=-1': weight=-1 must be > 0",
        ),
        (
            ["--data", "synth", "--set", "learning_rate=1"],
            "senga: error: learning_rate: unknown config field",
        ),
        (["--data", "synth", "--set", "crop"], "senga: error: --set 'crop': expected FIELD=VALUE"),
        (
            ["--data", "synth", "--preset", "dice", "--indicator", "power:100"],
            "senga: error: indicator: preset 'dice' trains with loss 'dice', which does not take 'indicator'",
        ),
        (["--data", "synth"], "senga: error: --out RUN_DIR is required"),
    ],
)
def test_user_errors_are_one_line(argv: list[str], message: str, tmp_path, capsys) -> None:
    if "--out" not in argv and "--out RUN_DIR" not in message:
        argv = [*argv, "--out", str(tmp_path / "run")]
    assert main(["train", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


def test_unknown_preset_lists_the_valid_ones(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["train", "--preset", "ourz", "--data", "synth", "--out", "x"])
    assert exit_.value.code == 2
    # the paper's five first; options next to them may follow
    assert (
        "invalid choice: 'ourz' (choose from 'ours', 'wo-attn', 'dice', 'pix2pix', 'exp5'"
        in capsys.readouterr().err
    )


def test_resume_refuses_new_settings(tmp_path, capsys) -> None:
    assert main(["train", "--resume", str(tmp_path), "--crop", "64"]) == 2
    assert "--resume: crop cannot change when resuming" in capsys.readouterr().err
    assert main(["train", "--resume", str(tmp_path)]) == 2
    assert f"{tmp_path / 'config.json'}: no such config file" in capsys.readouterr().err


def test_cli_presets_match_the_library() -> None:
    from senga.cli.train import PRESET_NAMES
    from senga.train import PRESETS

    assert tuple(PRESETS) == PRESET_NAMES
