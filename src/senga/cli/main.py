"""Entry point of the ``senga`` command.

Each subcommand lives in its own module under :mod:`senga.cli` and exposes

* ``NAME``: the subcommand name,
* ``HELP``: one line for ``senga --help``,
* ``add_arguments(parser)``: declare its flags,
* ``run(args) -> int``: do the work and return the exit code.

Exit codes: one rule for every subcommand (stated for users in README.md,
"When something goes wrong"; :data:`EXIT_OK`, :data:`EXIT_FAILED`, :data:`EXIT_USAGE`):

* 0: everything asked for was done (outputs skipped because they exist count as done);
* 1: something failed while the command ran: an input file it could not use
  (a batch, ``extract`` or ``vector``, names each one, finishes the rest and
  ends with 1: :func:`senga.cli.batch_report.finish`), the machine (any
  ``OSError``: a full or read-only disk, a denied permission; ``MemoryError``),
  Ray failing mid-run, or an internal error;
* 2: the command could not start: argparse's usage errors (unknown option,
  bad value), a missing extra, and every ``ValueError`` / :class:`UserError`
  (contradictory options, or a model folder, config, dataset or other file
  the command checks before it starts that cannot be used).

The error boundary (:func:`main`): no command ends in a Python traceback.
A ``ValueError`` and friends print as ``senga: error: PATH: problem`` (an
error that lists several problems, like ``DatasetError``, prints one indented
line per problem after it), exit 2. An ``OSError`` or ``MemoryError`` prints
one line naming the file and the problem, exit 1. Anything else is a bug: one
line ``senga: internal error: ...``, exit 1. ``senga --debug COMMAND ...`` (or
``SENGA_DEBUG=1``) shows the traceback instead. Ctrl-C exits 130. The library
itself never exits.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

from senga import __version__
from senga.errors import first_line
from senga.runtime import missing_extra

#: Subcommand modules, in the order ``--help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "senga.cli.extract",
    "senga.cli.serve",
    "senga.cli.eval",
    "senga.cli.synth",
    "senga.cli.vector",
    "senga.cli.train",
    "senga.cli.bench",
    "senga.cli.export",
    "senga.cli.info",
)


#: Exit code: everything asked for was done.
EXIT_OK = 0
#: Exit code: something failed while the command ran (an input of a batch, the disk, memory, a bug).
EXIT_FAILED = 1
#: Exit code: the command could not start (usage, option values, a model / config / dataset it checks first).
EXIT_USAGE = 2

#: Environment variable that turns ``--debug`` on (``SENGA_DEBUG=1``).
DEBUG_ENV = "SENGA_DEBUG"
#: At most this many problem lines follow an error's first line.
MAX_DETAIL_LINES = 30


class UserError(Exception):
    """An error caused by the user's input: printed as one line, exit code 2."""


def _debug_requested(args: argparse.Namespace) -> bool:
    env = os.environ.get(DEBUG_ENV, "").strip().lower()
    return bool(getattr(args, "debug", False)) or env not in ("", "0", "false", "no", "off")


def describe_os_error(err: OSError) -> str:
    """``"PATH: problem"`` for an ``OSError`` (the file it names, the system's words for errno)."""
    problem = err.strerror or first_line(err)
    if err.filename is not None:
        where = os.fsdecode(err.filename)
        if err.filename2 is not None:
            where = f"{where} -> {os.fsdecode(err.filename2)}"
        return f"{where}: {problem}"
    return problem


def report_error(err: BaseException) -> int:
    """Print ``err`` as ``senga: error: ...`` (one line, plus listed problems) and return the exit code."""
    if isinstance(err, MemoryError):
        detail = first_line(err, "the data or model did not fit")
        print(
            f"senga: error: out of memory ({detail}); use smaller inputs, --crop, --batch or --tile",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if isinstance(err, OSError):
        print(f"senga: error: {describe_os_error(err)}", file=sys.stderr)
        return EXIT_FAILED
    if isinstance(err, (UserError, ValueError, KeyError)):
        lines = [line.rstrip() for line in str(err).strip().splitlines()] or [type(err).__name__]
        head = lines[0].strip()
        if isinstance(err, KeyError):
            head = head.strip("'\"")
        print(f"senga: error: {head}", file=sys.stderr)
        more = [line for line in lines[1:] if line.strip()]
        for line in more[:MAX_DETAIL_LINES]:
            print(line if line.startswith(" ") else f"  {line}", file=sys.stderr)
        if len(more) > MAX_DETAIL_LINES:
            print(f"  ... and {len(more) - MAX_DETAIL_LINES} more lines", file=sys.stderr)
        return EXIT_USAGE
    name = type(err).__name__
    if name == "SafetensorError":  # a damaged .safetensors file that no caller named
        print(f"senga: error: unreadable safetensors file ({first_line(err)})", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"senga: internal error: {name}: {first_line(err)} (rerun with --debug for the traceback "
        "and report it)",
        file=sys.stderr,
    )
    return EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="senga",
        description="senga (線画): extract grayscale line art from color illustrations.",
    )
    parser.add_argument("--version", action="version", version=f"senga {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help=f"show Python tracebacks of errors (or set {DEBUG_ENV}=1)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for modname in COMMAND_MODULES:
        p = None
        try:
            mod = importlib.import_module(modname)
            p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
            mod.add_arguments(p)
        except ModuleNotFoundError as err:
            if err.name == modname:  # subcommand not written yet
                continue
            if missing_extra(err.name) is None:
                raise
            # Installed without the torch extra (extraction runs on onnxruntime): the command
            # stays listed and says in one line how to get what it needs.
            _add_needs_torch(sub, p, modname.rpartition(".")[2], err.name)
            continue
        # also accepted after the command name; SUPPRESS keeps a flag given before it
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        p.set_defaults(_run=mod.run)
    return parser


def _add_needs_torch(
    sub: argparse._SubParsersAction, p: argparse.ArgumentParser | None, name: str, module: str | None
) -> None:
    message = f"senga {name} {missing_extra(module)}"
    if p is None:  # every word after the command is taken as is (no option parsing)
        help_ = f"(needs PyTorch: pip install -e '.[torch]') senga {name}"
        p = sub.add_parser(name, help=help_, add_help=False, prefix_chars="\0")
        p.add_argument("_args", nargs="*", help=argparse.SUPPRESS)
    else:
        p.add_argument("_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)

    def run(args: argparse.Namespace) -> int:
        raise UserError(message)

    p.set_defaults(_run=run)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args._run(args) or EXIT_OK)
    except KeyboardInterrupt:
        print("senga: interrupted", file=sys.stderr)
        return 130
    except SystemExit:
        raise
    except ModuleNotFoundError as err:
        if _debug_requested(args):
            traceback.print_exc()
        needs = missing_extra(err.name)  # an install without the torch extra
        if needs is None:
            return report_error(err)
        print(f"senga: error: senga {args.command} {needs}", file=sys.stderr)
        return EXIT_USAGE
    except BaseException as err:  # noqa: BLE001 - the boundary: one line, no traceback unless asked for
        if _debug_requested(args):
            traceback.print_exc()
        return report_error(err)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
