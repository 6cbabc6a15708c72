"""``senga eval PRED_DIR GT_DIR``: exact grayscale P, R, F1 (docs/paper.md, eqs. 4-6) and RMSE.

Examples::

    senga eval out/ data/test/line                 # summary table
    senga eval out/ data/test/line --json          # machine-readable, per image
    senga eval out/ data/test/line --csv scores.csv --resize
    senga eval out/a.png data/test/line/a.png      # two files: one pair

``--csv`` is written atomically and never replaces one of the images read
(:class:`senga.io.OutputGuard`).
"""

from __future__ import annotations

import argparse
import json
import sys

from senga.io.outputs import OutputGuard
from senga.metrics.files import EVAL_EXTENSIONS, EvalReport, evaluate_folders, input_files

NAME = "eval"
HELP = "score predicted line images against ground truth (exact grayscale P, R, F1 and RMSE)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pred_dir", metavar="PRED_DIR", help="folder of predicted line images (or one file)")
    parser.add_argument(
        "gt_dir",
        metavar="GT_DIR",
        help="folder of ground-truth line images, paired with predictions by name "
        f"({' '.join(EVAL_EXTENSIONS)}); or one file when PRED_DIR is one file",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help='print {"mean": {P, R, F1, RMSE, n}, "images": [{name, P, R, F1, RMSE}]} instead of the table',
    )
    parser.add_argument(
        "--csv", metavar="FILE", help="also write per-image scores to FILE (name,P,R,F1,RMSE)"
    )
    parser.add_argument(
        "--resize",
        action="store_true",
        help="resample predictions to the ground-truth size (bilinear) instead of failing on a size mismatch",
    )


def format_table(report: EvalReport, label: str) -> str:
    """The summary table: one row ``label n P R F1 RMSE`` of per-image means."""
    m = report.mean
    width = max(len("set"), len(label))
    header = f"{'set':<{width}}  {'n':>5}  {'P':>6}  {'R':>6}  {'F1':>6}  {'RMSE':>6}"
    row = f"{label:<{width}}  {m['n']:>5d}  {m['P']:6.4f}  {m['R']:6.4f}  {m['F1']:6.4f}  {m['RMSE']:6.4f}"
    return f"{header}\n{row}"


def run(args: argparse.Namespace) -> int:
    csv_path = None
    if args.csv:  # checked before scoring: never replace an input, never a folder
        csv_path = OutputGuard(inputs=input_files(args.pred_dir, args.gt_dir)).check_file(args.csv)
    report = evaluate_folders(args.pred_dir, args.gt_dir, resize=args.resize)
    if csv_path is not None:
        report.write_csv(csv_path)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(format_table(report, str(args.pred_dir)))
    if report.unmatched:
        shown = ", ".join(report.unmatched[:5]) + (", ..." if len(report.unmatched) > 5 else "")
        note = f"senga: note: {len(report.unmatched)} prediction(s) without ground truth ignored: {shown}"
        print(note, file=sys.stderr)
    return 0
