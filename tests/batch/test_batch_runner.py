"""Batch runner: output naming, every input kind, bad files, skip/overwrite, atomic writes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import image_kinds
import numpy as np
import pytest
from images import write_png
from PIL import Image

from senga.batch.runner import Job, plan_outputs, run_files
from senga.extract import ClassicalExtractor
from senga.io import read_rgb


def _rel(jobs: list[Job], root: Path) -> list[tuple[str, str]]:
    return [(j.source.relative_to(root).as_posix(), j.target.relative_to(root).as_posix()) for j in jobs]


# --------------------------------------------------------------------------- naming


def test_default_output_is_name_lines_png_beside_the_input(tmp_path: Path) -> None:
    write_png(tmp_path / "a.png")
    write_png(tmp_path / "sub" / "b.jpg")
    (tmp_path / "a_lines.png").write_bytes(b"earlier output")  # skipped by folder expansion
    jobs, problems = plan_outputs([tmp_path])
    assert problems == []
    assert _rel(jobs, tmp_path) == [("a.png", "a_lines.png"), ("sub/b.jpg", "sub/b_lines.png")]


def test_one_file_and_an_image_out_path_writes_exactly_there(tmp_path: Path) -> None:
    src = write_png(tmp_path / "a.webp")
    jobs, _ = plan_outputs([src], tmp_path / "res" / "lines.png")
    assert jobs == [Job(src, tmp_path / "res" / "lines.png")]


def test_out_folder_mirrors_input_subfolders(tmp_path: Path) -> None:
    write_png(tmp_path / "in" / "a.png")
    write_png(tmp_path / "in" / "x" / "y" / "b.tif")
    single = write_png(tmp_path / "c.jpg")
    jobs, problems = plan_outputs([tmp_path / "in", single], tmp_path / "out")
    assert problems == []
    assert _rel(jobs, tmp_path) == [
        ("in/a.png", "out/a.png"),
        ("in/x/y/b.tif", "out/x/y/b.png"),
        ("c.jpg", "out/c.png"),
    ]


def test_globs_mirror_below_their_fixed_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_png(tmp_path / "art" / "p1.png")
    write_png(tmp_path / "art" / "deep" / "p2.png")
    (tmp_path / "art" / "notes.txt").write_text("x")
    jobs, problems = plan_outputs(["art/**/*.png"], "out")
    assert problems == []
    assert [(j.source.as_posix(), j.target.as_posix()) for j in jobs] == [
        ("art/deep/p2.png", "out/deep/p2.png"),
        ("art/p1.png", "out/p1.png"),
    ]


def test_files_inside_out_are_not_inputs_and_duplicates_are_dropped(tmp_path: Path) -> None:
    a = write_png(tmp_path / "a.png")
    write_png(tmp_path / "out" / "a.png")  # an output of an earlier run
    jobs, problems = plan_outputs([tmp_path, a], tmp_path / "out")
    assert problems == []
    assert _rel(jobs, tmp_path) == [("a.png", "out/a.png")]


def test_an_output_that_is_an_input_is_refused(tmp_path: Path) -> None:
    a = write_png(tmp_path / "a.png")
    jobs, problems = plan_outputs([a], a)
    assert jobs == []
    assert problems == [(str(a), f"output {a} would overwrite an input file; choose another -o")]
    jobs, problems = plan_outputs([tmp_path], tmp_path)  # OUT folder == input folder, same names
    assert jobs == [] and "would overwrite an input file" in problems[0][1]


def test_two_inputs_for_one_output_fail_the_second(tmp_path: Path) -> None:
    a, b = write_png(tmp_path / "a.png"), write_png(tmp_path / "a.jpg")
    jobs, problems = plan_outputs([a, b], tmp_path / "out")
    assert [j.source for j in jobs] == [a]
    assert problems == [(str(b), f"output {tmp_path / 'out' / 'a.png'} is already the output of {a}")]


def test_inputs_that_yield_nothing_are_reported(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    jobs, problems = plan_outputs([tmp_path / "missing.png", tmp_path / "empty", str(tmp_path / "*.gif")])
    assert jobs == []
    assert [p[1] for p in problems] == [
        "no such file or folder",
        "no image files in this folder",
        "no image files match this pattern",
    ]


def test_out_file_with_several_inputs_is_a_usage_error(tmp_path: Path) -> None:
    write_png(tmp_path / "a.png")
    write_png(tmp_path / "b.png")
    with pytest.raises(ValueError, match="must be a folder when there are several input files"):
        plan_outputs([tmp_path], tmp_path / "one.png")


# --------------------------------------------------------------------------- running


@pytest.mark.parametrize("workers", [1, 3])
def test_every_input_kind_gives_an_output_of_its_displayed_size(tmp_path: Path, workers: int) -> None:
    (tmp_path / "in").mkdir()
    expected = {}
    for _name, make in image_kinds.KINDS.items():
        path, rgb = make(tmp_path / "in")
        expected[path.name] = rgb.shape[:2]
    jobs, problems = plan_outputs([tmp_path / "in"], tmp_path / "out")
    summary = run_files(jobs, ClassicalExtractor("morph"), workers=workers)
    assert problems == [] and summary.failed == [] and len(summary.done) == len(image_kinds.KINDS)
    for job in jobs:
        with Image.open(job.target) as im:
            assert im.mode == "L" and im.format == "PNG"
            assert (im.height, im.width) == expected[job.source.name], job.source.name
    # EXIF orientation 6: the stored top (black) row is displayed as the right column
    out = np.asarray(Image.open(tmp_path / "out" / "exif.png"), dtype=float)
    assert out[:, -1].mean() < 60 and out[:, 0].mean() > 150


def test_bad_files_fail_one_by_one_and_the_batch_goes_on(tmp_path: Path) -> None:
    bad = image_kinds.bad_files(tmp_path / "in")
    good = write_png(tmp_path / "in" / "ok.png")
    big = write_png(tmp_path / "in" / "zbig.png", 40, 50)
    jobs, _ = plan_outputs([tmp_path / "in"], tmp_path / "out")
    errors: list[tuple[str, str]] = []
    summary = run_files(
        jobs, ClassicalExtractor("morph"), max_pixels=1000, on_error=lambda p, m: errors.append((p, m))
    )
    assert summary.done == [tmp_path / "out" / "ok.png"]
    assert (tmp_path / "out" / "ok.png").is_file() and good.is_file()
    failed = dict(summary.failed)
    assert errors == summary.failed  # reported as they happened, in order
    assert set(failed) == {str(bad["not_an_image"]), str(bad["zero_bytes"]), str(bad["truncated"]), str(big)}
    assert failed[str(bad["zero_bytes"])] == "empty file (0 bytes)"
    assert "not an image file" in failed[str(bad["not_an_image"])]
    assert "truncated" in failed[str(bad["truncated"])]
    assert "above the limit of 1,000" in failed[str(big)]
    assert all("\n" not in m for m in failed.values())
    assert not summary.ok and summary.line() == "1 written, 4 failed"


def test_existing_outputs_are_skipped_unless_overwrite(tmp_path: Path) -> None:
    src = write_png(tmp_path / "a.png", 8, 10)
    target = tmp_path / "a_lines.png"
    target.write_bytes(b"keep me")
    jobs, _ = plan_outputs([src])
    summary = run_files(jobs, ClassicalExtractor("morph"))
    assert summary.skipped == [target] and summary.done == [] and summary.ok
    assert target.read_bytes() == b"keep me"
    assert "1 skipped" in summary.line()
    summary = run_files(jobs, ClassicalExtractor("morph"), overwrite=True)
    assert summary.done == [target]
    assert read_rgb(target).shape == (8, 10, 3)
    assert src.read_bytes() != target.read_bytes()


def test_a_failed_write_leaves_no_partial_file_and_the_old_one_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = write_png(tmp_path / "a.png"), write_png(tmp_path / "b.png")
    (tmp_path / "out").mkdir()
    old = tmp_path / "out" / "a.png"
    old.write_bytes(b"previous result")
    real_save = Image.Image.save

    def flaky_save(self: Image.Image, fp: Any, *args: Any, **kwargs: Any) -> None:
        if Path(fp).name.startswith(".a."):  # the temporary file for out/a.png
            Path(fp).write_bytes(b"\x89PNG half")
            raise OSError("disk full")
        real_save(self, fp, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "save", flaky_save)
    jobs, _ = plan_outputs([a, b], tmp_path / "out")
    summary = run_files(jobs, ClassicalExtractor("morph"), overwrite=True)
    assert summary.done == [tmp_path / "out" / "b.png"]
    assert summary.failed == [(str(a), f"cannot write {old} (disk full)")]
    assert old.read_bytes() == b"previous result"
    assert sorted(os.listdir(tmp_path / "out")) == ["a.png", "b.png"]  # no temporary left


def test_an_extraction_error_fails_that_file_only(tmp_path: Path) -> None:
    a, b = write_png(tmp_path / "a.png", 8, 10), write_png(tmp_path / "b.png", 9, 9)

    class Picky(ClassicalExtractor):
        def predict_gray(self, rgb: np.ndarray, progress: Any = None) -> np.ndarray:
            if rgb.shape[0] == 8:
                raise RuntimeError("out of memory\nsecond line")
            return super().predict_gray(rgb, progress)

    jobs, _ = plan_outputs([a, b], tmp_path / "out")
    summary = run_files(jobs, Picky("morph"))
    assert summary.failed == [(str(a), "extraction failed (RuntimeError: out of memory)")]
    assert summary.done == [tmp_path / "out" / "b.png"]
