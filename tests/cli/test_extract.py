"""``senga extract``: exit codes, one-line errors per bad file, summary, model and classical paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from images import write_png
from PIL import Image

from senga.cli.main import main
from senga.models import create_model, save_pretrained


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_pretrained(create_model("senga"), tmp_path_factory.mktemp("m") / "model")


def test_model_on_one_file_writes_a_same_size_grayscale_png(tmp_path: Path, model_dir: Path, capsys) -> None:
    src = write_png(tmp_path / "a.jpg", 30, 45)
    assert main(["extract", str(src), "--model", str(model_dir), "--device", "cpu"]) == 0
    with Image.open(tmp_path / "a_lines.png") as im:
        assert (im.format, im.mode, im.size) == ("PNG", "L", (45, 30))
    assert capsys.readouterr().err.strip() == "senga: 1 written, 0 failed"


def test_tiles_and_overlap_flags_reach_the_extractor(
    tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from senga.extract.torch_backend import TorchBackend

    windows: list[tuple[int, ...]] = []
    run = TorchBackend.run

    def recording_run(self: TorchBackend, tiles: np.ndarray) -> np.ndarray:
        windows.append(tiles.shape[:3])
        return run(self, tiles)

    monkeypatch.setattr(TorchBackend, "run", recording_run)
    src = write_png(tmp_path / "wide.png", 20, 300)
    out = tmp_path / "o.png"
    args = ["extract", str(src), "-o", str(out), "--model", str(model_dir), "--device", "cpu", "-q"]
    assert main([*args, "--tile", "64", "--overlap", "32", "--tile-batch", "3"]) == 0
    with Image.open(out) as im:
        assert im.size == (300, 20)
    # 300 px on a 304 canvas: cores of 64 px, each widened by 32 px of context (96, 3 x 128, 80 wide);
    # the three 128-wide windows go through in one batch. Defaults would give one 300-wide window.
    assert windows == [(1, 20, 96), (3, 20, 128), (1, 20, 80)]


def test_bad_files_each_get_one_line_and_the_exit_code_is_1(tmp_path: Path, capsys) -> None:
    write_png(tmp_path / "in" / "good.png")
    (tmp_path / "in" / "broken.png").write_bytes(b"not a png at all")
    (tmp_path / "in" / "empty.jpg").write_bytes(b"")
    write_png(tmp_path / "in" / "huge.png", 100, 100)
    code = main(
        [
            "extract",
            str(tmp_path / "in"),
            "-o",
            str(tmp_path / "out"),
            "--method",
            "xdog",
            "--max-pixels",
            "5000",
        ]
    )
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert (tmp_path / "out" / "good.png").is_file()
    assert (
        f"senga: {tmp_path / 'in' / 'broken.png'}: not an image file (unknown or unsupported format)" in err
    )
    assert f"senga: {tmp_path / 'in' / 'empty.jpg'}: empty file (0 bytes)" in err
    assert any(line.startswith(f"senga: {tmp_path / 'in' / 'huge.png'}: image is 100x100") for line in err)
    assert "senga: 1 written, 3 failed" in err
    i = err.index("senga: failed files:")
    assert len(err[i + 1 :]) == 3 and all(line.startswith("  ") for line in err[i + 1 :])


def test_quiet_prints_nothing_on_success_but_still_prints_errors(tmp_path: Path, capsys) -> None:
    write_png(tmp_path / "a.png")
    assert main(["extract", str(tmp_path / "a.png"), "--method", "morph", "-q"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["extract", str(tmp_path / "missing.png"), "--method", "morph", "-q"]) == 1
    err = capsys.readouterr().err
    assert f"senga: {tmp_path / 'missing.png'}: no such file or folder" in err


def test_existing_outputs_are_skipped_and_replaced_with_overwrite(tmp_path: Path, capsys) -> None:
    write_png(tmp_path / "a.png")
    (tmp_path / "a_lines.png").write_bytes(b"old")
    assert main(["extract", str(tmp_path / "a.png"), "--method", "blurdiff"]) == 0
    assert (tmp_path / "a_lines.png").read_bytes() == b"old"
    assert "0 written, 1 skipped" in capsys.readouterr().err
    assert main(["extract", str(tmp_path / "a.png"), "--method", "blurdiff", "--overwrite"]) == 0
    with Image.open(tmp_path / "a_lines.png") as im:
        assert im.size == (20, 12)


def test_never_overwrites_an_input_even_with_overwrite(tmp_path: Path, capsys) -> None:
    src = write_png(tmp_path / "a.png")
    before = src.read_bytes()
    assert main(["extract", str(src), "-o", str(src), "--method", "morph", "--overwrite"]) == 1
    assert src.read_bytes() == before
    assert "would overwrite an input file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--method", "morph", "--model", "x"], "--model applies to --method model only"),
        (["--half", "--device", "cpu"], "half precision needs a CUDA device"),
        (["--tile", "64", "--overlap", "200"], "overlap must be between 0 and 2 * tile = 128, got 200"),
        (["--tile", "16"], "tile must be >= 32 pixels, got 16"),
        (["--model", "nowhere"], "nowhere: no such model folder"),
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path: Path, capsys, extra: list[str], message: str) -> None:
    write_png(tmp_path / "a.png")
    assert main(["extract", str(tmp_path / "a.png"), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("senga: error: ") and message in err and "\n" not in err


def test_missing_bundled_model_is_a_clear_error(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("senga.weights.bundled_model_dir", lambda name="default": tmp_path / "nothing" / name)
    write_png(tmp_path / "a.png")
    assert main(["extract", str(tmp_path / "a.png")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'nothing' / 'default'}: the bundled model 'default' is not installed" in err
    assert err.count("\n") == 1


def test_out_file_with_several_inputs_is_a_usage_error(tmp_path: Path, capsys) -> None:
    write_png(tmp_path / "a.png")
    write_png(tmp_path / "b.png")
    assert (
        main(
            [
                "extract",
                str(tmp_path / "a.png"),
                str(tmp_path / "b.png"),
                "-o",
                str(tmp_path / "x.png"),
                "--method",
                "morph",
            ]
        )
        == 2
    )
    assert "must be a folder when there are several input files" in capsys.readouterr().err


def test_progress_bars_for_files_and_tiles_on_a_terminal(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_png(tmp_path / "in" / "a.png", 100, 100)  # 4 x 4 tiles of 32
    write_png(tmp_path / "in" / "b.png")
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    args = [
        "extract",
        str(tmp_path / "in"),
        "-o",
        str(tmp_path / "out"),
        "--method",
        "model",
        "--device",
        "cpu",
    ]
    model = save_pretrained(create_model("senga"), tmp_path / "m")
    assert main([*args, "--model", str(model), "--tile", "32", "--overlap", "0"]) == 0
    err = capsys.readouterr().err
    assert "2/2" in err and "file" in err  # the files bar
    assert "/16 [" in err and "tile/s" in err  # the tiles bar of the large image
    assert main([*args, "--model", str(model), "--overwrite", "-q"]) == 0
    assert capsys.readouterr().err == ""
