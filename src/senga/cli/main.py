"""Entry point of the ``senga`` command.

Each subcommand lives in its own module under :mod:`senga.cli` and exposes

* ``NAME``: the subcommand name,
* ``HELP``: one line for ``senga --help``,
* ``add_arguments(parser)``: declare its flags,
* ``run(args) -> int``: do the work and return the exit code.

Library errors that users can cause (bad files, bad configs) are printed as one
line ``senga: error: ...`` with exit code 2; the library itself never exits.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from senga import __version__

#: Subcommand modules, in the order ``--help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "senga.cli.extract",
    "senga.cli.eval",
    "senga.cli.synth",
    "senga.cli.vector",
    "senga.cli.train",
    "senga.cli.bench",
    "senga.cli.info",
)


class UserError(Exception):
    """An error caused by the user's input: printed as one line, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="senga",
        description="senga (線画): extract grayscale line art from color illustrations.",
    )
    parser.add_argument("--version", action="version", version=f"senga {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for modname in COMMAND_MODULES:
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError as err:
            if err.name == modname:  # subcommand not written yet
                continue
            raise
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("senga: interrupted", file=sys.stderr)
        return 130
    except (UserError, ValueError, FileNotFoundError, KeyError) as err:
        msg = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        if isinstance(err, KeyError):
            msg = msg.strip("'\"")
        print(f"senga: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
