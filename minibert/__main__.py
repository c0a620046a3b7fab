"""``python -m minibert ...`` runs the command line (see minibert/cli.py)."""
from .cli import main

raise SystemExit(main())
