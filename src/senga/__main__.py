"""`python -m senga` is the same as the `senga` command."""

from __future__ import annotations

from senga.cli.main import main

raise SystemExit(main())
