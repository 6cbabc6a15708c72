"""``senga vector``: SVG drawings -> paired folder; bad files reported, batch goes on."""

from __future__ import annotations

import pytest

pytest.importorskip("resvg_py", reason="the vector source needs resvg-py (pip install -e '.[vector]')")

from senga.cli.main import main
from senga.data.paired import PairedFolder

GOOD = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="80" viewBox="0 0 100 80">'
    '<rect x="10" y="10" width="80" height="60" fill="#60b0e0" stroke="#000" stroke-width="1.5"/>'
    '<circle cx="50" cy="40" r="15" fill="#f0d040" stroke="#000" stroke-width="1.5"/></svg>'
)


def test_vector_cli_writes_pairs_and_reports_bad_file(tmp_path, capsys) -> None:
    src = tmp_path / "svgs"
    src.mkdir()
    (src / "good.svg").write_text(GOOD, encoding="utf-8")
    (src / "broken.svg").write_text("<svg><g>", encoding="utf-8")
    out = tmp_path / "out"
    sheet = tmp_path / "sheet.png"
    code = main(
        [
            "vector",
            str(src),
            "-o",
            str(out),
            "--n",
            "2",
            "--size",
            "64",
            "--seed",
            "3",
            "-q",
            "--sheet",
            str(sheet),
        ]
    )
    captured = capsys.readouterr()
    assert code == 1  # a file failed; the good one was still used
    assert f"{src / 'broken.svg'}: not an SVG file" in captured.err
    assert "wrote 2 pairs" in captured.out
    assert len(PairedFolder(out)) == 2
    assert sheet.is_file()


def test_vector_cli_ok_and_usage_errors(tmp_path, capsys) -> None:
    (tmp_path / "good.svg").write_text(GOOD, encoding="utf-8")
    assert (
        main(
            [
                "vector",
                str(tmp_path / "good.svg"),
                "-o",
                str(tmp_path / "o"),
                "--n",
                "1",
                "--size",
                "48",
                "-q",
            ]
        )
        == 0
    )
    assert main(["vector", str(tmp_path / "nothing"), "-o", str(tmp_path / "o2"), "-q"]) == 2
    assert "nothing: no such file or folder" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["vector", str(tmp_path), "-o", str(tmp_path / "o3"), "--n", "0"])
