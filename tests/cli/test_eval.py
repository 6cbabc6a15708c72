"""`senga eval`: summary table, --json structure, --csv rows, errors naming the file, --resize."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from senga.cli.main import main
from senga.io import write_ink

# 8-bit-exact levels: ink k/255. For "a": shared = 1 + 0 = 1 (the 51/255 pixel
# is a miss), [H>0] = 2, [G>0] = 1 -> P .5, R 1, F1 2/3; RMSE = (51/255)/sqrt(4) = .1
G_A = np.array([[1.0, 0.0], [0.0, 0.0]])
H_A = np.array([[1.0, 51 / 255], [0.0, 0.0]])


@pytest.fixture
def folders(tmp_path):
    gt, pred = tmp_path / "gt", tmp_path / "pred"
    write_ink(gt / "a.png", G_A)
    write_ink(pred / "a.png", H_A)
    write_ink(gt / "b.png", G_A)
    write_ink(pred / "b.tif", G_A)  # paired by name across extensions
    return str(pred), str(gt)


def test_table(folders, capsys):
    pred, gt = folders
    assert main(["eval", pred, gt]) == 0
    header, row = capsys.readouterr().out.strip().splitlines()
    assert header.split() == ["set", "n", "P", "R", "F1", "RMSE"]
    cells = row.split()
    assert cells[0] == pred and cells[1] == "2"
    p, r, f, e = map(float, cells[2:])
    assert p == pytest.approx((0.5 + 1) / 2, abs=2e-3)
    assert r == pytest.approx(1.0, abs=2e-3)
    assert f == pytest.approx((2 / 3 + 1) / 2, abs=2e-3)
    assert e == pytest.approx(0.05, abs=0.01)


def test_json(folders, capsys):
    pred, gt = folders
    assert main(["eval", pred, gt, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["mean", "images"]
    assert list(out["mean"]) == ["P", "R", "F1", "RMSE", "n"] and out["mean"]["n"] == 2
    assert [list(i) for i in out["images"]] == [["name", "P", "R", "F1", "RMSE"]] * 2
    a = out["images"][0]
    assert a["name"] == "a"
    assert (a["P"], a["R"], a["F1"], a["RMSE"]) == pytest.approx((0.5, 1.0, 2 / 3, 0.1), abs=1e-6)
    assert out["mean"]["F1"] == pytest.approx((a["F1"] + out["images"][1]["F1"]) / 2)


def test_csv(folders, tmp_path, capsys):
    pred, gt = folders
    path = tmp_path / "scores.csv"
    assert main(["eval", pred, gt, "--csv", str(path)]) == 0
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["name"] for r in rows] == ["a", "b"]
    assert float(rows[0]["P"]) == pytest.approx(0.5, abs=1e-6)
    assert "set" in capsys.readouterr().out  # the table is still printed


def test_missing_prediction_is_an_error_naming_the_file(folders, capsys):
    pred, gt = folders
    write_ink(f"{gt}/c.png", G_A)
    assert main(["eval", pred, gt]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("senga: error: ") and "c.png: no prediction 'c.*'" in err
    assert len(err.splitlines()) == 1


def test_size_mismatch_error_and_resize(folders, capsys):
    pred, gt = folders
    write_ink(f"{pred}/b.tif", np.repeat(np.repeat(G_A, 2, 0), 2, 1))  # 4x4 vs 2x2
    assert main(["eval", pred, gt]) == 2
    err = capsys.readouterr().err
    assert "b.tif: size 4x4 differs from ground truth" in err and "--resize" in err
    assert main(["eval", pred, gt, "--resize", "--json"]) == 0
    b = json.loads(capsys.readouterr().out)["images"][1]
    assert b["name"] == "b" and 0.0 < b["F1"] <= 1.0
