"""senga.errors: the one "PATH: problem" error base and the one first-line helper."""

from __future__ import annotations

import pickle

import pytest

from senga.batch.input_manifest import ManifestError
from senga.data.paired import DatasetError
from senga.data.vector.svg import SvgError
from senga.errors import SengaError, first_line
from senga.io import ImageError, ImageTooLargeError, OutputError


@pytest.mark.parametrize(
    "kind", [SengaError, ImageError, ImageTooLargeError, OutputError, ManifestError, SvgError]
)
def test_every_path_problem_error_shares_one_shape(kind: type[SengaError]) -> None:
    err = kind("a/b.png", "not an image")
    assert isinstance(err, SengaError) and isinstance(err, ValueError)
    assert (str(err), err.path, err.problem) == ("a/b.png: not an image", "a/b.png", "not an image")
    back = pickle.loads(pickle.dumps(err))  # worker processes and Ray send errors back
    assert type(back) is kind and str(back) == str(err)


def test_dataset_error_is_one_summary_line_then_the_problems() -> None:
    err = DatasetError("data/x", ["color/a.png: no line partner", "line/b.png: no color partner"])
    assert isinstance(err, SengaError) and err.path == err.root == "data/x"
    assert str(err).splitlines() == [
        "data/x: 2 problems in paired folder",
        "  color/a.png: no line partner",
        "  line/b.png: no color partner",
    ]
    back = pickle.loads(pickle.dumps(err))
    assert str(back) == str(err) and back.problems == err.problems


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (OSError("disk full\nsecond line"), "disk full"),
        (ValueError("  \n padded \n"), "padded"),
        (ValueError(""), "ValueError"),
        (KeyError(), "KeyError"),
        ("text\nmore", "text"),
        ("", ""),
        ("   \n  ", ""),
    ],
)
def test_first_line(message: BaseException | str, expected: str) -> None:
    assert first_line(message) == expected


def test_first_line_of_an_empty_message_can_be_chosen() -> None:
    assert first_line(RuntimeError(), "") == ""
    assert first_line(MemoryError(), "the data did not fit") == "the data did not fit"
    assert first_line(MemoryError("12 GiB"), "the data did not fit") == "12 GiB"


def test_an_empty_error_from_fsspec_names_the_url_instead_of_crashing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fsspec = pytest.importorskip("fsspec", reason="URL inputs need fsspec (the ray extra)")
    from senga.batch import remote_inputs

    def no_backend(url: str) -> None:
        raise ValueError("")  # some fsspec backends raise with no message

    monkeypatch.setattr(fsspec.core, "url_to_fs", no_backend)
    with pytest.raises(ValueError) as caught:
        remote_inputs._fs("s3://bucket/x.png")
    assert str(caught.value) == "s3://bucket/x.png: ValueError"
