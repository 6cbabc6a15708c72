"""The end of a batch run, shared by both engines of ``senga extract``: summary line, failures, exit code.

Exit codes follow the one rule of every ``senga`` command (:mod:`senga.cli.main`,
README "When something goes wrong"): :func:`finish` returns 0 when every input
was written or skipped as already done, 1 when any input failed (the rest was
still done). Code 2 never comes from here: a wrong command (argparse, or a
``ValueError`` such as contradictory options or an unusable model) is refused
by :func:`senga.cli.main.main` before the batch starts.
"""

from __future__ import annotations

import sys


def finish(line: str, failed: list[tuple[str, str]], quiet: bool) -> int:
    """End of a batch (either engine): the summary line, every failure listed, exit code 1 if any failed."""
    if not quiet or failed:
        print(f"senga: {line}", file=sys.stderr)
    if len(failed) > 1:
        print("senga: failed files:", file=sys.stderr)
        for path, problem in failed:
            print(f"  {path}: {problem}", file=sys.stderr)
    return 1 if failed else 0
