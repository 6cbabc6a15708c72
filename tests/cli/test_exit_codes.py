"""One exit-code rule for every command: 0 done, 1 something failed while it ran, 2 it could not start."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from senga.cli import main as cli
from senga.cli.batch_report import finish
from senga.cli.main import COMMAND_MODULES, EXIT_FAILED, EXIT_OK, EXIT_USAGE, main

README = Path(__file__).resolve().parents[2] / "README.md"


def _png(path: Path) -> Path:
    Image.fromarray(np.full((8, 8, 3), 200, np.uint8)).save(path)
    return path


def test_the_codes() -> None:
    assert (EXIT_OK, EXIT_FAILED, EXIT_USAGE) == (0, 1, 2)


@pytest.mark.parametrize("module", COMMAND_MODULES)
def test_every_command_refuses_a_bad_option_with_2(module: str) -> None:
    name = module.rpartition(".")[2]
    with pytest.raises(SystemExit) as exit_:
        main([name, "--no-such-option"])
    assert exit_.value.code == EXIT_USAGE


def test_no_command_and_bad_values_are_usage_errors() -> None:
    assert main([]) == EXIT_USAGE
    with pytest.raises(SystemExit) as exit_:
        main(["extract", "a.png", "--tile", "0"])
    assert exit_.value.code == EXIT_USAGE


def test_contradictory_options_are_refused_before_any_work(tmp_path: Path) -> None:
    src = _png(tmp_path / "a.png")
    code = main(
        ["extract", str(src), "-o", str(tmp_path / "o.png"), "--method", "xdog", "--ink-floor", "0.1"]
    )
    assert code == EXIT_USAGE and not (tmp_path / "o.png").exists()


def test_a_batch_with_a_bad_input_does_the_rest_and_exits_1(tmp_path: Path, capsys) -> None:
    (tmp_path / "in").mkdir()
    _png(tmp_path / "in" / "good.png")
    (tmp_path / "in" / "bad.png").write_bytes(b"not a png")
    assert main(["extract", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--method", "xdog", "-q"]) == 1
    assert (tmp_path / "out" / "good.png").is_file()
    assert "bad.png: not an image file" in capsys.readouterr().err
    assert main(["extract", str(tmp_path / "missing.png"), "--method", "xdog", "-q"]) == EXIT_FAILED


def test_all_done_is_0_and_a_rerun_that_skips_is_0_too(tmp_path: Path) -> None:
    src = _png(tmp_path / "a.png")
    assert main(["extract", str(src), "--method", "xdog", "-q"]) == EXIT_OK
    assert main(["extract", str(src), "--method", "xdog", "-q"]) == EXIT_OK  # output exists: skipped


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ValueError("x.png: not an image"), EXIT_USAGE),
        (cli.UserError("--out is required"), EXIT_USAGE),
        (OSError(28, "No space left on device", "/out/a.png"), EXIT_FAILED),
        (MemoryError(), EXIT_FAILED),
        (RuntimeError("a bug"), EXIT_FAILED),
    ],
)
def test_the_error_boundary_maps_errors_to_the_rule(
    monkeypatch: pytest.MonkeyPatch, error: BaseException, code: int
) -> None:
    def run(args: argparse.Namespace) -> int:
        raise error

    import senga.cli.eval as eval_cmd

    monkeypatch.setattr(eval_cmd, "run", run)
    assert main(["eval", "p", "g"]) == code


def test_finish_returns_1_only_when_an_input_failed(capsys) -> None:
    assert finish("2 written, 0 failed", [], quiet=True) == EXIT_OK
    assert capsys.readouterr().err == ""
    assert finish("1 written, 1 failed", [("b.png", "not an image file")], quiet=True) == EXIT_FAILED
    assert capsys.readouterr().err == "senga: 1 written, 1 failed\n"


def test_the_readme_states_the_rule_once() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## When something goes wrong", 1)[1].split("\n## ", 1)[0]
    for code in ("`0`", "`1`", "`2`"):
        assert code in section, code
    # stated once: elsewhere the README only points at it, never restates what 1 or 2 mean
    rest = text.replace(section, "")
    assert not re.search(r"exit(?: code)? (?:is )?[12]\b", rest), "an exit code is restated outside the rule"
