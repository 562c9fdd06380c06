"""python -m kenpo_report: the same as the kenpo-report command."""

from kenpo_report.cli import main

raise SystemExit(main())
