"""`python -m successgaps screen FILE ...` (see successgaps.cli)."""

import sys

from .cli import main

sys.exit(main())
