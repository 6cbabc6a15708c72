"""`python -m senga` is the same as the `senga` command."""

from senga.cli.main import main

raise SystemExit(main())
