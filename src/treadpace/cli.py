"""The `treadpace` command line: thin commands that parse, build objects and call the engine.

Each command group lives in `treadpace/commands/<name>.py` and registers itself
here. Heavy libraries (bleak, aiomqtt, the engine) are imported inside the
command functions, so `treadpace --help` stays fast.
"""

from __future__ import annotations

import itertools
import re
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from treadpace.base.printable import printable
from treadpace.base.user_error import UserError

app = typer.Typer(
    name="treadpace",
    help="Guided progression runs on a home treadmill (Bluetooth FTMS), or on the simulator.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Help in click's plain layout: rich's panels cost more than the rest of `--help`
    # (start-up is paid on every command). Every group sets the same.
    rich_markup_mode=None,
)


@app.command()
def version() -> None:
    """Print the treadpace version."""
    from treadpace import __version__

    print(__version__)


def _print_version(value: bool) -> None:
    if value:
        version()
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Guided progression runs on a home treadmill (Bluetooth FTMS), or on the simulator."""


_COMMAND_MODULES = (
    "run",
    "plan",
    "paces",
    "init",
    "ftms",
    "simulate",
    "ble",
    "record",
    "coach",
    "program",
    "mqtt",
    "serve",
    "calibrate",
    "sync",
)


def _untyped_flags(params: list[Any]) -> list[Any]:
    """A flag takes no value: its help row shows no `<bool>` type (an empty metavar)."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


class _Command(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _untyped_flags(super().get_params(ctx))


class _Group(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _untyped_flags(super().get_params(ctx))


def _register() -> None:
    import importlib

    for name in _COMMAND_MODULES:
        importlib.import_module(f"treadpace.commands.{name}").register(app)
    groups = [app, *(g.typer_instance for g in app.registered_groups if g.typer_instance)]
    for group in groups:
        group.info.cls = _Group
        for command in group.registered_commands:
            command.cls = _Command


_register()


_ADDRESS = re.compile(r"^((\[[0-9a-fA-F:.]+\]|[\w.-]*):)?\d+$")
"""HOST:PORT, [IPv6]:PORT, :PORT or PORT: the shapes `--web` may take as its value."""


def web_address_sugar(argv: list[str]) -> list[str]:
    """`--web HOST:PORT` and `--web=HOST:PORT` as `--web --web-listen HOST:PORT`.

    The command line library has no option whose value is optional, so `--web` is a
    flag and the address its own option; this lets a runner write either.
    """
    out: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == "--":
            out += [arg, *args]
            break
        if arg.startswith("--web="):
            out += ["--web", "--web-listen", arg.removeprefix("--web=")]
        elif arg == "--web":
            out.append(arg)
            nxt = next(args, None)
            if nxt is not None and _ADDRESS.match(nxt):
                out += ["--web-listen", nxt]
            elif nxt is not None:
                out.append(nxt)
        else:
            out.append(arg)
    return out


def _words_after_web(argv: list[str]) -> list[str]:
    """The bare words right after `--web` that are not an address (a plan, or a mistake)."""
    out = []
    for arg, nxt in itertools.pairwise(argv):
        if arg == "--":
            break
        if arg == "--web" and not nxt.startswith("-") and not _ADDRESS.match(nxt):
            out.append(nxt)
    return out


def _web_value_line(exc: Exception, argv: list[str]) -> str:
    """`--web nonsense`: say what --web takes, not "unexpected extra argument".

    Decided on what was parsed, not on the library's text: every option and argument
    was taken (the extra-argument check comes last), `--web` is on without an address,
    and a word after it is not the value of any parameter.
    """
    ctx = getattr(exc, "ctx", None)
    params = getattr(ctx, "params", None)
    command = getattr(ctx, "command", None)
    if not isinstance(params, dict) or command is None or not params.get("web"):
        return ""
    if params.get("web_listen") is not None:
        return ""
    if {p.name for p in command.params} - set(params):
        return ""  # stopped before every parameter was taken: another error
    taken = {str(v) for v in params.values() if isinstance(v, str)}
    for word in _words_after_web(argv):
        if word not in taken:
            return (
                f"--web: expected HOST:PORT, :PORT or PORT (e.g. 0.0.0.0:8080) or nothing, "
                f'got "{printable(word)}"'
            )
    return ""


def main() -> None:
    argv = sys.argv[1:]
    try:
        code = app(args=web_address_sugar(argv), standalone_mode=False)
    except UserError as exc:
        # Messages echo file names and values from files: shown, never obeyed by the terminal.
        print(f"error: {printable(str(exc))}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(1)
    except typer.TyperException as exc:
        # A bad option value or an unknown option: one line, as for any bad input
        # (no line when the usage text was the answer: a group given no command).
        line = _web_value_line(exc, argv) or _one_line(exc)
        if line:
            print(f"error: {line}", file=sys.stderr)
        sys.exit(getattr(exc, "exit_code", 2))
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


def _one_line(exc: Exception) -> str:
    """A usage error as one line: the message, and where to look for help."""
    format_message = getattr(exc, "format_message", None)
    message = format_message() if callable(format_message) else str(exc)
    text = " ".join(str(message).split())
    if not text:
        return ""
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", "")
    return f"{text} (see '{path} --help')" if path else text
