"""The CLI's error boundary: every failure is one line naming the file, a non-zero exit, no traceback."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

import senga.cli.eval as eval_cli
from senga.cli.main import main


def _fail_with(monkeypatch: pytest.MonkeyPatch, err: BaseException) -> None:
    def run(args):
        raise err

    monkeypatch.setattr(eval_cli, "run", run)


@pytest.mark.parametrize(
    ("err", "line", "code"),
    [
        (
            OSError(errno.EROFS, os.strerror(errno.EROFS), "/data/out.csv"),
            f"senga: error: /data/out.csv: {os.strerror(errno.EROFS)}",
            1,
        ),
        (
            OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/data/out.csv"),
            f"senga: error: /data/out.csv: {os.strerror(errno.ENOSPC)}",
            1,
        ),
        (
            OSError(errno.EACCES, os.strerror(errno.EACCES), "/data/x"),
            f"senga: error: /data/x: {os.strerror(errno.EACCES)}",
            1,
        ),
        (
            IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), "/data/dir"),
            f"senga: error: /data/dir: {os.strerror(errno.EISDIR)}",
            1,
        ),
        (
            OSError(errno.EXDEV, os.strerror(errno.EXDEV), "/a", None, "/b"),
            f"senga: error: /a -> /b: {os.strerror(errno.EXDEV)}",
            1,
        ),
        (MemoryError(), "senga: error: out of memory (the data or model did not fit)", 1),
        (ValueError("x.png: not an image\nsecond line"), "senga: error: x.png: not an image", 2),
        (KeyError("'field'"), "senga: error: field", 2),
        (RuntimeError("boom"), "senga: internal error: RuntimeError: boom", 1),
    ],
)
def test_every_exception_kind_is_one_line_without_traceback(
    err: BaseException,
    line: str,
    code: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("SENGA_DEBUG", raising=False)
    _fail_with(monkeypatch, err)
    assert main(["eval", "a", "b"]) == code
    out = capsys.readouterr().err
    assert out.splitlines()[0].startswith(line), out
    assert "Traceback" not in out
    if not isinstance(err, ValueError):
        assert out.count("\n") == 1


def test_safetensors_errors_are_one_line(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from safetensors import SafetensorError

    _fail_with(monkeypatch, SafetensorError("Error while deserializing header: HeaderTooLarge"))
    assert main(["eval", "a", "b"]) != 0
    out = capsys.readouterr().err
    assert (
        out
        == "senga: error: unreadable safetensors file (Error while deserializing header: HeaderTooLarge)\n"
    )


@pytest.mark.parametrize(
    "argv_env",
    [(["--debug", "eval", "a", "b"], None), (["eval", "a", "b", "--debug"], None), (["eval", "a", "b"], "1")],
)
def test_debug_flag_or_env_shows_the_traceback(argv_env, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    argv, env = argv_env
    if env is None:
        monkeypatch.delenv("SENGA_DEBUG", raising=False)
    else:
        monkeypatch.setenv("SENGA_DEBUG", env)
    _fail_with(monkeypatch, OSError(errno.EROFS, os.strerror(errno.EROFS), "/ro/x"))
    assert main(argv) == 1
    out = capsys.readouterr().err
    assert "Traceback (most recent call last)" in out
    assert out.rstrip().splitlines()[-1].startswith("senga: error: /ro/x:")


def test_listed_problems_follow_the_first_line(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from senga.data.paired import DatasetError

    _fail_with(
        monkeypatch, DatasetError("/d", ["color/a.png: no line partner", "line/b.png: no color partner"])
    )
    assert main(["eval", "a", "b"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "senga: error: /d: 2 problems in paired folder",
        "  color/a.png: no line partner",
        "  line/b.png: no color partner",
    ]


def test_eval_csv_to_a_folder_is_one_line(tmp_path: Path, capsys) -> None:
    import numpy as np

    from senga.io import write_ink

    for side in ("p", "g"):
        write_ink(tmp_path / side / "a.png", np.zeros((2, 2), np.float32))
    (tmp_path / "out").mkdir()
    assert main(["eval", str(tmp_path / "p"), str(tmp_path / "g"), "--csv", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"senga: error: {tmp_path / 'out'}: is a folder; expected a file name\n"


def test_eval_csv_on_a_read_only_disk_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    import numpy as np

    from senga.io import write_ink

    for side in ("p", "g"):
        write_ink(tmp_path / side / "a.png", np.zeros((2, 2), np.float32))
    target = tmp_path / "ro" / "scores.csv"

    def read_only(self, *args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))

    monkeypatch.setattr(Path, "mkdir", read_only)
    assert main(["eval", str(tmp_path / "p"), str(tmp_path / "g"), "--csv", str(target)]) == 1
    err = capsys.readouterr().err
    assert err == f"senga: error: {target.parent}: {os.strerror(errno.EROFS)}\n"
