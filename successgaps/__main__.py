"""`python -m successgaps screen FILE ...` (see successgaps.cli)."""

import contextlib
import os
import sys

from .cli import main

status = main()
# The answer is written and every file closed: leave without the interpreter's teardown, which frees the whole
# screen object by object (0.13 s of a 1M-row command's 3.8 s). The two streams are flushed first.
for stream in (sys.stdout, sys.stderr):
    with contextlib.suppress(OSError, ValueError):  # a reader that stopped early (| head): nothing left to say
        stream.flush()
os._exit(status)
