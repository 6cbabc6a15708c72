"""evaluate_folders: pairing by name, 8-bit reading, errors naming the file, --resize, report output."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PIL import Image

from senga.io import ImageError, write_ink
from senga.metrics import EvalReport, evaluate_folders, scores

G = np.array([[1.0, 0.5], [0.0, 0.0]])
H = np.array([[0.5, 0.5], [0.25, 0.0]])  # vs G: P .5, R .75, F1 .6 (see test_metrics_grayscale)


def quantised(ink: np.ndarray) -> np.ndarray:
    """What an ink map reads back as after an 8-bit save."""
    return 1.0 - np.rint((1.0 - ink) * 255.0) / 255.0


def make_set(tmp_path, pred_ext=".png"):
    gt, pred = tmp_path / "gt", tmp_path / "pred"
    write_ink(gt / "a.png", G)
    write_ink(gt / "sub" / "b.png", np.ones((2, 2)))
    write_ink(pred / f"a{pred_ext}", H)
    write_ink(pred / "sub" / "b.bmp", np.ones((2, 2)))
    return pred, gt


def test_pairs_by_name_across_extensions_and_folders(tmp_path):
    pred, gt = make_set(tmp_path)
    write_ink(pred / "extra.png", H)  # no ground truth: ignored, reported
    report = evaluate_folders(pred, gt)
    assert [s.name for s in report.images] == ["a", "sub/b"]
    a, b = report.images
    expected = scores(quantised(H), quantised(G))
    assert pytest.approx(tuple(expected.values()), abs=1e-6) == (a.P, a.R, a.F1, a.RMSE)
    assert pytest.approx(0.5, abs=0.01) == a.P and pytest.approx(0.75, abs=0.01) == a.R
    assert pytest.approx((1.0, 1.0, 1.0, 0.0)) == (b.P, b.R, b.F1, b.RMSE)
    assert report.mean["n"] == 2
    assert report.mean["F1"] == pytest.approx((a.F1 + 1.0) / 2)
    assert report.unmatched == ["extra"]


def test_ink_is_one_minus_luminance_with_alpha_on_white(tmp_path):
    gt, pred = tmp_path / "gt", tmp_path / "pred"
    write_ink(gt / "x.png", np.array([[1.0, 0.0]]))
    pred.mkdir()
    # black opaque pixel + black fully transparent pixel (= white paper)
    Image.fromarray(np.array([[[0, 0, 0, 255], [0, 0, 0, 0]]], np.uint8), "RGBA").save(pred / "x.png")
    s = evaluate_folders(pred, gt).images[0]
    assert pytest.approx((1.0, 1.0, 1.0, 0.0)) == (s.P, s.R, s.F1, s.RMSE)


def test_missing_prediction_names_the_file(tmp_path):
    pred, gt = make_set(tmp_path)
    (pred / "a.png").unlink()
    with pytest.raises(ValueError, match=r"gt/a\.png: no prediction 'a\.\*' in .*pred"):
        evaluate_folders(pred, gt)


def test_size_mismatch_names_the_file_and_resize_fixes_it(tmp_path):
    gt, pred = tmp_path / "gt", tmp_path / "pred"
    write_ink(gt / "x.png", np.full((4, 6), 0.6))
    write_ink(pred / "x.png", np.full((8, 12), 0.6))
    with pytest.raises(
        ImageError, match=r"pred/x\.png: size 12x8 differs from ground truth .*gt/x\.png \(6x4\)"
    ):
        evaluate_folders(pred, gt)
    s = evaluate_folders(pred, gt, resize=True).images[0]
    assert pytest.approx((1.0, 1.0, 1.0, 0.0)) == (s.P, s.R, s.F1, s.RMSE)


def test_unreadable_prediction_names_the_file(tmp_path):
    pred, gt = make_set(tmp_path)
    (pred / "a.png").write_bytes(b"not an image")
    with pytest.raises(ImageError, match=r"pred/a\.png: not an image file"):
        evaluate_folders(pred, gt)


def test_folder_errors(tmp_path):
    pred, gt = make_set(tmp_path)
    with pytest.raises(ValueError, match="nope: no such folder"):
        evaluate_folders(tmp_path / "nope", gt)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="empty: no ground-truth images"):
        evaluate_folders(pred, tmp_path / "empty")
    write_ink(pred / "a.jpg", H)
    with pytest.raises(ValueError, match="two prediction images named 'a'"):
        evaluate_folders(pred, gt)


def test_report_dict_and_csv(tmp_path):
    pred, gt = make_set(tmp_path)
    report = evaluate_folders(pred, gt)
    assert isinstance(report, EvalReport)
    d = report.to_dict()
    assert list(d) == ["mean", "images"]
    assert set(d["mean"]) == {"P", "R", "F1", "RMSE", "n"}
    assert d["images"][0].keys() == {"name", "P", "R", "F1", "RMSE"}
    report.write_csv(tmp_path / "out" / "scores.csv")
    with open(tmp_path / "out" / "scores.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["name"] for r in rows] == ["a", "sub/b"]
    assert float(rows[0]["F1"]) == report.images[0].F1  # full precision
    assert not list((tmp_path / "out").glob(".*"))  # no temporary left behind
