"""Lost files: no command's output replaces an input or escapes its output folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from images import write_png
from reliability_helpers import run_cli

from senga.io import write_ink


@pytest.fixture
def scored(tmp_path: Path) -> tuple[Path, Path]:
    pred, gt = tmp_path / "pred", tmp_path / "gt"
    ink = np.zeros((4, 4), np.float32)
    ink[1] = 1.0
    write_ink(gt / "some_image.png", ink)
    write_ink(pred / "some_image.png", ink)
    return pred, gt


def test_eval_csv_never_replaces_an_input_image(scored, capsys) -> None:
    pred, gt = scored
    for target in (gt / "some_image.png", pred / "some_image.png", gt / "x" / ".." / "some_image.png"):
        before = (gt / "some_image.png").read_bytes(), (pred / "some_image.png").read_bytes()
        code, err = run_cli(["eval", str(pred), str(gt), "--csv", str(target)], capsys)
        assert code == 2
        assert err == f"senga: error: {target}: would replace an input file; choose another output\n"
        assert ((gt / "some_image.png").read_bytes(), (pred / "some_image.png").read_bytes()) == before


def test_eval_csv_through_a_hard_link_to_an_input_is_refused(scored, tmp_path: Path, capsys) -> None:
    pred, gt = scored
    os.link(gt / "some_image.png", tmp_path / "scores.csv")
    code, err = run_cli(["eval", str(pred), str(gt), "--csv", str(tmp_path / "scores.csv")], capsys)
    assert code == 2 and "would replace an input file" in err


def test_eval_csv_is_written_atomically_where_asked(scored, tmp_path: Path, capsys) -> None:
    pred, gt = scored
    target = tmp_path / "new" / ".." / "scores.csv"  # through a folder that does not exist
    assert run_cli(["eval", str(pred), str(gt), "--csv", str(target), "--json"], capsys)[0] == 0
    assert (tmp_path / "scores.csv").read_text().splitlines()[0] == "name,P,R,F1,RMSE"
    assert not (tmp_path / "new").exists() or list((tmp_path / "new").iterdir()) == []


def test_extract_glob_with_dotdot_never_writes_outside_out(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_png(tmp_path / "art" / "a" / "x.png")
    write_png(tmp_path / "photos" / "p.jpg")
    victim = tmp_path / "photos" / "p.png"  # not an input; the old mirroring wrote out/a/../../photos/p.png
    victim.write_bytes(b"not an input, not ours")
    code, _ = run_cli(["extract", "art/*/../../photos/*.jpg", "-o", "out", "--method", "xdog", "-q"], capsys)
    assert code == 0
    assert victim.read_bytes() == b"not an input, not ours"
    assert sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "out").rglob("*.png")) == ["out/p.png"]
    assert not (tmp_path / "out" / "a").exists()


def test_extract_out_through_a_missing_folder_still_skips_an_existing_output(tmp_path: Path, capsys) -> None:
    src = write_png(tmp_path / "a.png")
    existing = tmp_path / "out" / "lines" / "a.png"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"earlier output")
    out = str(tmp_path / "out" / "nothere" / ".." / "lines") + "/"
    code, err = run_cli(["extract", str(src), "-o", out, "--method", "xdog"], capsys)
    assert code == 0
    assert existing.read_bytes() == b"earlier output"
    assert "0 written, 1 skipped (output exists; --overwrite to replace)" in err
    assert not (tmp_path / "out" / "nothere").exists()
    assert run_cli(["extract", str(src), "-o", out, "--method", "xdog", "--overwrite", "-q"], capsys)[0] == 0
    assert existing.read_bytes()[:4] == b"\x89PNG"


def test_extract_never_writes_through_a_symlink_out_of_its_folder(tmp_path: Path, capsys) -> None:
    src = write_png(tmp_path / "in" / "a.png")
    (tmp_path / "precious.png").write_bytes(b"precious")
    os.symlink(tmp_path / "precious.png", tmp_path / "in" / "a_lines.png")
    code, err = run_cli(["extract", str(src), "--method", "xdog", "--overwrite"], capsys)
    assert code == 1 and "outside the output folder" in err
    assert (tmp_path / "precious.png").read_bytes() == b"precious"


def test_a_missing_single_input_is_reported_as_missing(tmp_path: Path, capsys) -> None:
    code, err = run_cli(["extract", str(tmp_path / "missing.png"), "-o", str(tmp_path / "x.png")], capsys)
    assert code == 1
    assert f"senga: {tmp_path / 'missing.png'}: no such file or folder" in err
    assert "must be a folder" not in err


def test_eval_takes_two_files_or_says_what_it_takes(scored, capsys) -> None:
    pred, gt = scored
    code, _ = run_cli(["eval", str(pred / "some_image.png"), str(gt / "some_image.png"), "--json"], capsys)
    assert code == 0
    code, err = run_cli(["eval", str(pred / "some_image.png"), str(gt)], capsys)
    assert code == 2
    assert err == (
        f"senga: error: {pred / 'some_image.png'}: is a file; compare two folders (PRED_DIR GT_DIR) "
        "or two files, not a file and a folder\n"
    )


def test_a_killed_writer_leaves_a_temporary_that_the_next_run_removes(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    script = (
        "import sys, time\n"
        "from senga.io import atomic_write_path\n"
        f"with atomic_write_path({str(out / 'a.png')!r}) as tmp:\n"
        "    tmp.write_bytes(b'half a png')\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert [p.name.startswith(".a.") for p in out.iterdir()] == [True]  # the killed write's leftover
    assert (
        run_cli(
            ["extract", str(write_png(tmp_path / "b.png")), "-o", str(out), "--method", "xdog", "-q"], capsys
        )[0]
        == 0
    )
    assert sorted(p.name for p in out.iterdir()) == ["b.png"]
