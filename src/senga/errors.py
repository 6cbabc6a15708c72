"""The error every "this file cannot be used" problem raises, and the first line of a message.

Errors a user can cause are ``ValueError`` s whose message names the file and the
problem on one line, ``"PATH: problem"`` (docs/architecture.md, "Conventions").
:class:`SengaError` is that shape once; each package derives its own kind from it
(``ImageError``, ``OutputError``, ``PretrainedError``, ``ManifestError``,
``SvgError``, ``DatasetError``, ``ModelNotInstalledError``) so callers can catch
one kind, or all of them as ``SengaError``.

:func:`first_line` is the one way a message from elsewhere (an OS, a library)
is cut to the one line a summary, a log or an HTTP answer shows;
:func:`check_known` the one "unknown field X (valid fields: ...)" check of a
config, a model's parameters or a method's options.

This module imports nothing from senga (every layer may use it).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

__all__ = ["SengaError", "check_known", "first_line"]


class SengaError(ValueError):
    """A file, folder or URL cannot be used. ``str(err)`` is ``"PATH: problem"``.

    Attributes:
        path: the file, folder or URL, as text.
        problem: what is wrong with it (one line, without the path).
    """

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")

    def __reduce__(self) -> tuple[type[SengaError], tuple[object, ...]]:
        # picklable with its two arguments (worker processes and Ray send errors back)
        return (type(self), (self.path, self.problem))


def first_line(message: BaseException | str, empty: str | None = None) -> str:
    """The first line of ``message`` (an exception or its text), stripped.

    An empty message gives ``empty``; by default the exception's type name (so a
    summary never shows a blank reason), or ``""`` for a string.

    >>> first_line(OSError("disk full\\nmore detail")), first_line(KeyError()), first_line("")
    ('disk full', 'KeyError', '')
    """
    text = str(message).strip()
    if text:
        return text.splitlines()[0].strip()
    if empty is not None:
        return empty
    return type(message).__name__ if isinstance(message, BaseException) else ""


def check_known(
    names: Iterable[str],
    valid: Iterable[str],
    where: str,
    what: str = "field",
    error: type[ValueError] = ValueError,
) -> None:
    """Refuse any of ``names`` that is not in ``valid``, listing the valid ones.

    Args:
        names: the keys given (a dict's keys, ``--set`` names, ...).
        valid: the accepted keys, in the order the message lists them.
        where: what the keys belong to, the message's first words (``"config"``,
            ``"model 'senga'"``, a file path).
        what: what one key is called (``"field"``, ``"config field"``, ``"parameter"``).
        error: the exception type (a ``ValueError``; e.g. a package's ``ConfigError``).

    Raises:
        error: ``"WHERE: unknown WHAT 'x', 'y' (valid WHATs: a, b, c)"``, one line.

    >>> check_known(["gain", "sise"], ["size", "gain"], "morph", "parameter")
    Traceback (most recent call last):
    ...
    ValueError: morph: unknown parameter 'sise' (valid parameters: size, gain)
    """
    accepted = list(valid)
    unknown = [name for name in dict.fromkeys(names) if name not in accepted]
    if unknown:
        listed = ", ".join(map(repr, unknown))
        raise error(f"{where}: unknown {what} {listed} (valid {what}s: {', '.join(accepted)})")
