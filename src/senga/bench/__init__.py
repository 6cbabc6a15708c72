"""The paper's Table 1 on our data: train the presets, score them and the classical
baselines with the exact metrics, write tables, a claims check and a Fig. 4-like grid.

Entry points: :func:`run_bench` with a :class:`BenchConfig` (``senga bench`` on the
command line), :func:`synthetic_test_set` for the fixed synthetic benchmark set,
:func:`results_markdown` / :func:`load_result` to render a finished bench again.
"""

from __future__ import annotations

from senga.bench.claims import Claim, check_claims
from senga.bench.figure import FigureRow, comparison_figure, figure_size
from senga.bench.report import results_markdown
from senga.bench.result import BenchResult, MethodResult, load_result
from senga.bench.runner import BenchConfig, run_bench
from senga.bench.testsets import SYNTH_TEST_SEED, synthetic_test_set
from senga.bench.variants import ABLATIONS, INDICATOR_CANDIDATES

__all__ = [
    "ABLATIONS",
    "INDICATOR_CANDIDATES",
    "SYNTH_TEST_SEED",
    "BenchConfig",
    "BenchResult",
    "Claim",
    "FigureRow",
    "MethodResult",
    "check_claims",
    "comparison_figure",
    "figure_size",
    "load_result",
    "results_markdown",
    "run_bench",
    "synthetic_test_set",
]
