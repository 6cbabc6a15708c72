"""Fixtures for the batch-orchestration tests (file runner, manifests, Ray Data engine).

The drawing helpers live with the extraction tests (``tests/extract/extract_helpers.py``);
this folder puts that folder on the import path so both share one copy.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "extract"))
