"""The `treadpace` command line: thin commands that parse, build objects and call the engine.

Each command group lives in `treadpace/commands/<name>.py` and registers itself
here. Heavy libraries (bleak, aiomqtt, the engine) are imported inside the
command functions, so `treadpace --help` stays fast.
"""

from __future__ import annotations

import sys

import typer

from treadpace.errors import UserError

app = typer.Typer(
    name="treadpace",
    help="Guided progression runs on a home treadmill (Bluetooth FTMS), or on the simulator.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.command()
def version() -> None:
    """Print the treadpace version."""
    from treadpace import __version__

    print(__version__)


_COMMAND_MODULES = (
    "run",
    "plan",
    "paces",
    "init",
    "ftms",
    "simulate",
    "ble",
    "record",
    "mqtt",
)


def _register() -> None:
    import importlib

    for name in _COMMAND_MODULES:
        importlib.import_module(f"treadpace.commands.{name}").register(app)


_register()


def main() -> None:
    try:
        app()
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
