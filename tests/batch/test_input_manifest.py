"""Input manifests (text, CSV, Parquet lists of files) and the Parquet run manifest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from images import write_png

from senga.batch.input_manifest import ManifestError, is_manifest, read_manifest
from senga.batch.runner import plan_outputs


def _rel(jobs, root: Path) -> list[tuple[str, str]]:
    return [
        (j.source.relative_to(root).as_posix(), j.target.resolve().relative_to(root.resolve()).as_posix())
        for j in jobs
    ]


def test_text_manifest_acts_like_a_folder_of_the_listed_files(tmp_path: Path) -> None:
    write_png(tmp_path / "data" / "a.png")
    write_png(tmp_path / "data" / "x" / "b.jpg")
    write_png(tmp_path / "data" / "unlisted.png")
    (tmp_path / "data" / "list.txt").write_text("# listed\nx/b.jpg\n\na.png\n  \n")
    jobs, problems = plan_outputs([tmp_path / "data" / "list.txt"], tmp_path / "out")
    assert problems == []
    assert _rel(jobs, tmp_path) == [("data/x/b.jpg", "out/x/b.png"), ("data/a.png", "out/a.png")]


def test_manifest_without_out_writes_beside_each_file(tmp_path: Path) -> None:
    write_png(tmp_path / "a.png")
    (tmp_path / "list.lst").write_text(f"{tmp_path / 'a.png'}\n")
    jobs, problems = plan_outputs([tmp_path / "list.lst"])
    assert problems == []
    assert _rel(jobs, tmp_path) == [("a.png", "a_lines.png")]


def test_a_manifest_with_an_image_out_path_is_several_inputs(tmp_path: Path) -> None:
    write_png(tmp_path / "a.png")
    (tmp_path / "list.txt").write_text("a.png\n")
    with pytest.raises(ValueError, match="must be a folder"):
        plan_outputs([tmp_path / "list.txt"], tmp_path / "one.png")


def test_entries_outside_the_manifest_folder_keep_only_their_name(tmp_path: Path) -> None:
    write_png(tmp_path / "elsewhere" / "far.png")
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "list.txt").write_text("../elsewhere/far.png\n")
    jobs, problems = plan_outputs([tmp_path / "m" / "list.txt"], tmp_path / "out")
    assert problems == []
    assert _rel(jobs, tmp_path) == [("elsewhere/far.png", "out/far.png")]


def test_csv_manifest_uses_its_path_column(tmp_path: Path) -> None:
    write_png(tmp_path / "a.png")
    write_png(tmp_path / "b.png")
    (tmp_path / "set.csv").write_text('id,Path,caption\n1,b.png,x\n2,a.png,"a, with comma"\n')
    assert read_manifest(tmp_path / "set.csv") == ["b.png", "a.png"]
    jobs, _ = plan_outputs([tmp_path / "set.csv"], tmp_path / "out")
    assert [j.target.name for j in jobs] == ["b.png", "a.png"]


def test_csv_without_a_path_column_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "set.csv").write_text("id,caption\n1,x\n")
    with pytest.raises(ManifestError) as err:
        read_manifest(tmp_path / "set.csv")
    assert str(err.value) == (
        f"{tmp_path / 'set.csv'}: no path column (looked for path, input, image, file; columns: 'id', 'caption')"
    )


def test_parquet_manifest(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow", reason="Parquet manifests need pyarrow (senga[ray]; CI installs it)")
    import pyarrow.parquet as pq

    write_png(tmp_path / "sub" / "a.png")
    pq.write_table(pa.table({"image": ["sub/a.png", None], "label": [1, 2]}), tmp_path / "set.parquet")
    jobs, problems = plan_outputs([tmp_path / "set.parquet"], tmp_path / "out")
    assert problems == []
    assert _rel(jobs, tmp_path) == [("sub/a.png", "out/sub/a.png")]


def test_empty_and_unreadable_manifests(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("# nothing\n")
    _, problems = plan_outputs([tmp_path / "empty.txt"], tmp_path / "out")
    assert problems == [(str(tmp_path / "empty.txt"), "no entries in this manifest")]
    (tmp_path / "bin.txt").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ManifestError, match=r"bin\.txt: not a UTF-8 text file"):
        read_manifest(tmp_path / "bin.txt")


def test_a_listed_file_that_is_missing_fails_when_read_not_when_planned(tmp_path: Path) -> None:
    (tmp_path / "list.txt").write_text("gone.png\n")
    jobs, problems = plan_outputs([tmp_path / "list.txt"], tmp_path / "out")
    assert problems == [] and [j.source.name for j in jobs] == ["gone.png"]


def test_is_manifest_by_extension() -> None:
    assert is_manifest("a/list.TXT") and is_manifest("x.parquet") and is_manifest("y.csv")
    assert not is_manifest("a.png") and not is_manifest("folder")


def test_run_manifest_rows_come_back_in_plan_order(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow", reason="the run manifest needs pyarrow (senga[ray]; CI installs it)")
    from senga.batch.run_manifest import RunManifest, read_manifest_table

    book = RunManifest(tmp_path / "m" / "run.parquet", min_interval=3600)
    book.add([{"index": 2, "input": "c.png", "status": "failed", "error": "c.png: bad"}])
    assert (tmp_path / "m" / "run.parquet").is_file()  # the first add writes; later ones wait min_interval
    book.add(
        {"index": [1, 0], "input": ["b", "a"], "status": ["done", "skipped"], "width": [np.int64(4), None]}
    )
    assert read_manifest_table(tmp_path / "m" / "run.parquet").num_rows == 1
    book.write()
    table = read_manifest_table(tmp_path / "m" / "run.parquet")
    assert table.column_names[:4] == ["index", "input", "output", "status"]
    rows = table.to_pylist()
    assert [(r["index"], r["input"], r["status"], r["width"]) for r in rows] == [
        (0, "a", "skipped", None),
        (1, "b", "done", 4),
        (2, "c.png", "failed", None),
    ]
    assert list(tmp_path.joinpath("m").iterdir()) == [tmp_path / "m" / "run.parquet"]  # no temporaries left


# --------------------------------------------------------------------------- URL inputs (fsspec)


def test_url_inputs_are_planned_like_local_ones(tmp_path: Path) -> None:
    pytest.importorskip("fsspec", reason="URL inputs need fsspec (senga[ray]; CI installs it)")
    from senga.batch.remote_inputs import is_url, plan_remote

    write_png(tmp_path / "data" / "a.png")
    write_png(tmp_path / "data" / "x" / "b.jpg")
    write_png(tmp_path / "data" / "x" / "b_lines.png")  # an earlier output: skipped
    write_png(tmp_path / "data" / ".hidden" / "h.png")
    (tmp_path / "data" / "list.txt").write_text("x/b.jpg\nmissing.png\n")
    base = f"file://{tmp_path}/data"
    assert is_url(base) and not is_url(str(tmp_path))

    jobs, problems = plan_remote([base + "/"], tmp_path / "out")
    assert problems == []
    assert [(j.source, j.target.relative_to(tmp_path).as_posix()) for j in jobs] == [
        (f"{base}/a.png", "out/a.png"),
        (f"{base}/x/b.jpg", "out/x/b.png"),
    ]
    jobs, _ = plan_remote([base + "/**/*.jpg"], tmp_path / "out")
    assert [j.target.relative_to(tmp_path).as_posix() for j in jobs] == ["out/x/b.png"]
    jobs, problems = plan_remote([base + "/list.txt"], tmp_path / "out")
    assert problems == []  # a missing entry fails when it is read, like a local manifest's
    assert [(j.source, j.target.name) for j in jobs] == [
        (f"{base}/x/b.jpg", "b.png"),
        (f"{base}/missing.png", "missing.png"),
    ]
    _, problems = plan_remote([base + "/nothing/*.png"], tmp_path / "out")
    assert problems == [(base + "/nothing/*.png", "no image files match this pattern")]
    with pytest.raises(ValueError, match="URL inputs need -o FOLDER"):
        plan_remote([base + "/a.png"], None)
