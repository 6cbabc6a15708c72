"""OutputGuard: outputs are resolved once, stay under their root and never replace an input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from senga.io import OutputError, OutputGuard, resolve_path, spelled_like


def test_resolve_through_a_missing_folder_is_what_the_file_system_will_do(tmp_path: Path) -> None:
    (tmp_path / "out" / "lines").mkdir(parents=True)
    assert (
        resolve_path(tmp_path / "out" / "nothere" / ".." / "lines" / "a.png")
        == tmp_path / "out" / "lines" / "a.png"
    )


def test_an_output_outside_the_root_is_refused(tmp_path: Path) -> None:
    guard = OutputGuard(root=tmp_path / "out")
    assert guard.check_file(tmp_path / "out" / "x" / ".." / "a.png") == tmp_path / "out" / "a.png"
    with pytest.raises(OutputError, match="outside the output folder"):
        guard.check_file(tmp_path / "out" / "x" / ".." / ".." / "photos" / "a.png")


def test_a_symlink_leading_out_of_the_root_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out").mkdir()
    os.symlink(tmp_path / "elsewhere", tmp_path / "out" / "link")
    with pytest.raises(OutputError, match="outside the output folder"):
        OutputGuard(root=tmp_path / "out").check_file(tmp_path / "out" / "link" / "a.png")


def test_an_input_is_refused_by_any_name(tmp_path: Path) -> None:
    src = tmp_path / "in" / "a.png"
    src.parent.mkdir()
    src.write_bytes(b"input")
    os.link(src, tmp_path / "hard.png")
    os.symlink(src, tmp_path / "soft.png")
    guard = OutputGuard(inputs=[src])
    for name in (src, tmp_path / "in" / ".." / "in" / "a.png", tmp_path / "hard.png", tmp_path / "soft.png"):
        with pytest.raises(OutputError, match="would replace an input file"):
            guard.check_file(name)
    assert src.read_bytes() == b"input"


def test_folder_and_file_mixups_are_refused(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputError, match="is a folder; expected a file name"):
        OutputGuard().check_file(tmp_path / "d")
    with pytest.raises(OutputError, match="is a file; expected a folder"):
        OutputGuard().check_dir(tmp_path / "f")
    assert OutputGuard().check_dir(tmp_path / "new" / ".." / "d") == tmp_path / "d"


def test_spelled_like_keeps_relative_paths_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    resolved = OutputGuard().check_file("out/nothere/../a.png")
    assert resolved == tmp_path / "out" / "a.png"
    assert spelled_like(resolved, "out/nothere/../a.png") == Path("out/a.png")
    assert spelled_like(resolved, tmp_path / "x") == resolved
