"""The `treadpace` command's first code: Ctrl+C while it loads is an exit, not a traceback.

The console script and `python -m treadpace` start here. This module imports nothing
but `sys`; the command line (typer and every command's options) is loaded inside
`main`, so a Ctrl+C that lands while it loads ends with exit 130 and no traceback, as
one during a command does (`cli.main`).
"""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from treadpace.cli import main as command_line

        command_line()
    except KeyboardInterrupt:
        sys.exit(130)
