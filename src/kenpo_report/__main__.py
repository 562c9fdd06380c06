"""python -m kenpo_report: the same as the kenpo-report command."""

from .cli import main

raise SystemExit(main())
