"""The `treadpace` command line: thin commands that parse, build objects and call the engine.

Each command group lives in `treadpace/commands/<name>.py` and registers itself on
a command line of its own, built only when one of its commands is invoked (`COMMANDS`
names them for `--help`). Heavy libraries (bleak, aiomqtt, the engine) are imported inside the
command functions, so `treadpace --help` stays fast.
"""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Iterator, MutableMapping
from typing import Annotated, Any

import typer
from typer._click.utils import make_default_short_help
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


COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run", "Run a plan: the engine drives the belt, the terminal shows where you are."),
    "paces": (
        "paces",
        "VDOT and training paces (easy, marathon, threshold, interval, repetition).",
    ),
    "init": (
        "init",
        "Write your profile (units, paces, limits, heart rate) and show the paces it gives.",
    ),
    "simulate": ("simulate", "Run the software FTMS treadmill headless and print what it does."),
    "scan": (
        "ble",
        "List Bluetooth treadmills (FTMS) advertising nearby. Exit 1 when none is found.",
    ),
    "info": (
        "ble",
        "Connect to a treadmill (the belt is not moved) and describe it in plain words.",
    ),
    "history": (
        "record",
        "List recorded runs: date, plan, distance, time, average pace, outcome.",
    ),
    "export": (
        "record",
        "Export a run to FIT (Strava, Garmin Connect), TCX or CSV; interrupted runs too.",
    ),
    "report": (
        "record",
        "Summary of a run: per-step table and a chart of target vs actual speed and heart rate.",
    ),
    "next": ("coach", "Suggest the next run from your history: prints the plan and why."),
    "serve": (
        "serve",
        "The appliance: choose, start, watch and review runs from a phone's browser.",
    ),
    "calibrate": (
        "calibrate",
        "Calibrate the belt against your footpod: about nine minutes at three or more speeds.",
    ),
    "sync": (
        "sync",
        "Upload finished runs to intervals.icu and Strava (queued offline, sent once).",
    ),
    "plan": ("plan", "Show, validate and describe plan files."),
    "ftms": ("ftms", "Fitness Machine Service tools for debugging a treadmill."),
    "program": (
        "program",
        "Programs: weeks of easy runs around a progression run every 10-14 days.",
    ),
    "mqtt": ("mqtt", "MQTT and Home Assistant helpers."),
}
"""Every command, in `--help` order: (module in treadpace/commands, the first paragraph of
its help). A command's module is imported and built only when it is invoked: building
all of them cost more than most commands' own work. A test keeps this table the same as
the commands' docstrings."""


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


def build_module(module: str) -> dict[str, Any]:
    """The commands (and groups) one module in treadpace/commands registers, built."""
    import importlib

    sub = typer.Typer(rich_markup_mode=None, add_completion=False)
    importlib.import_module(f"treadpace.commands.{module}").register(sub)
    groups = [sub, *(g.typer_instance for g in sub.registered_groups if g.typer_instance)]
    for group in groups:
        group.info.cls = _Group
        for command in group.registered_commands:
            command.cls = _Command
    return dict(typer.main.get_group(sub).commands)


class _LazyCommands(MutableMapping[str, Any]):
    """The top-level commands: every name in `COMMANDS`, each built on first look-up."""

    def __init__(self, built: MutableMapping[str, Any]) -> None:
        self._built = dict(built)

    def _names(self) -> list[str]:
        return list(dict.fromkeys([*self._built, *COMMANDS]))

    def __getitem__(self, name: str) -> Any:
        if name not in self._built and name in COMMANDS:
            self._built.update(build_module(COMMANDS[name][0]))
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, name: object) -> bool:
        return name in self._built or name in COMMANDS

    def help_line(self, name: str, limit: int) -> str:
        """A command's row in `--help`, from the table while it is not built."""
        command = self._built.get(name)
        if command is not None:
            return str(command.get_short_help_str(limit))
        return make_default_short_help(COMMANDS[name][1], limit)


class _TopGroup(_Group):
    """The `treadpace` group: commands built on demand (see `COMMANDS`)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = self.lazy = _LazyCommands(self.commands)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.lazy)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self.lazy.help_line(name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app.info.cls = _TopGroup


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
