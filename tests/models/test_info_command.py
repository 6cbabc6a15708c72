"""``senga info``: the architecture summary printed for registry models and saved folders."""

from __future__ import annotations

import json

from senga.cli.main import main
from senga.models import count_parameters, create_model, flops_per_megapixel, save_pretrained


def test_info_prints_parameter_count_and_flops(capsys) -> None:
    assert main(["info", "senga"]) == 0
    out = capsys.readouterr().out
    n = count_parameters(create_model("senga"))
    assert n == 4_232_935
    assert "4,232,935 total, 4,232,935 trainable" in out
    assert "82.8 GFLOP per megapixel" in out
    assert "attention       True" in out


def test_info_json(capsys) -> None:
    assert main(["info", "patchgan", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    model = create_model("patchgan")
    assert info["name"] == "patchgan"
    n = count_parameters(model)
    assert info["parameters"] == {"total": n, "trainable": n}
    assert info["flops_per_megapixel"] == round(flops_per_megapixel(model))
    assert info["config"]["n_layers"] == 3


def test_info_on_a_saved_folder(tmp_path, capsys) -> None:
    save_pretrained(create_model("senga-noattn"), tmp_path / "m")
    assert main(["info", str(tmp_path / "m"), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["name"] == "senga-noattn" and info["source"] == str(tmp_path / "m")
    assert info["parameters"]["total"] == 4_232_935 - 11


def test_info_unknown_model_is_a_one_line_error(capsys) -> None:
    assert main(["info", "no-such-model"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "senga: error: no-such-model: neither a registry model (senga, senga-noattn, "
        "pix2pix-unet, patchgan), a bundled model (default, fast), nor an existing model folder"
    )
