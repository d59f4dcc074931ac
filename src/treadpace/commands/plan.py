"""`treadpace plan list|show|validate|schema`: look at a plan before running it.

`list` shows the plans that can be run by name (shipped and the runner's own);
`show` compiles a plan for the runner (table, totals, a chart of speed over
time, or JSON); `validate` checks any number of plan files and prints one line
each (exit 2 when any fails); `schema` prints the JSON Schema of plan files for
editor completion.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from treadpace.base.user_error import UserError
from treadpace.commands.options import ProfileOption

if TYPE_CHECKING:
    from treadpace.plans import Profile
    from treadpace.plans.steps import CompiledPlan


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Show, validate and describe plan files.",
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,  # plain help, as the top level's (cli.py)
    )
    group.command("list")(list_command)
    group.command("show")(show_command)
    group.command("validate")(validate_command)
    group.command("schema")(schema_command)
    from treadpace.commands.plan_files import export_command, import_command

    group.command("import")(import_command)
    group.command("export")(export_command)
    app.add_typer(group, name="plan")


PlanArgument = Annotated[
    str, typer.Argument(help="Plan file, or a plan's name (see `treadpace plan list`).")
]


def list_command(
    profile: ProfileOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """The plans you can run by name: shipped ones and yours (in <config home>/plans/)."""
    from treadpace.catalogue import catalogue_rows, format_rows
    from treadpace.library import user_plans_dir
    from treadpace.plans import load_profile

    loaded = load_profile(profile)
    rows = catalogue_rows(loaded)
    if as_json:
        print(json.dumps([row.as_json() for row in rows], indent=2))
        return
    for line in format_rows(rows):
        print(line)
    print(f"your own plans go in {user_plans_dir()}/NAME.yaml; run one with `treadpace run NAME`")
    from treadpace.commands.icu_plans import week_lines

    for line in week_lines(loaded):
        print(line)


def show_command(
    plan: PlanArgument,
    profile: ProfileOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """The compiled steps for this runner: start, length, pace, speed, incline."""
    from treadpace.commands.icu_plans import load_and_compile
    from treadpace.plans.plan_report import plan_json

    compiled, prof = load_and_compile(plan, profile)
    if as_json:
        print(json.dumps(plan_json(compiled), indent=2))
        return
    print_plan(compiled, prof)


def print_plan(compiled: CompiledPlan, prof: Profile) -> None:
    """The `plan show` table, totals, charts and notes (also used by `next`)."""
    from rich.console import Console
    from rich.table import Table

    from treadpace.plans.plan_report import incline_chart, speed_chart, step_rows, totals_line

    who = "built-in default profile" if prof.is_default else f"profile {prof.name}"
    table = Table(title=f"{compiled.name} ({compiled.kind}) for the {who}", title_justify="left")
    for col, justify in (
        ("#", "right"),
        ("step", "left"),
        ("start", "right"),
        ("length", "right"),
        ("pace", "left"),
        ("speed", "right"),
        ("incline", "right"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for row in step_rows(compiled, prof.imperial):
        table.add_row(*row)
    console = Console()
    console.print(table)
    console.print(totals_line(compiled, prof.imperial), markup=False, highlight=False)
    for line in speed_chart(compiled, prof.imperial):
        console.print(line, markup=False, highlight=False)
    for line in incline_chart(compiled):
        console.print(line, markup=False, highlight=False)
    for note in compiled.notes:
        console.print(f"note: {note}", markup=False, highlight=False)


def validate_command(
    plans: Annotated[list[str], typer.Argument(help="Plan files or names (workout files too).")],
    profile: ProfileOption = None,
) -> None:
    """Check plan files (and the profile): one line per file, exit 2 if any failed."""
    from treadpace.base.display import duration as format_duration
    from treadpace.base.printable import printable
    from treadpace.library import load
    from treadpace.plans import compile_plan, load_profile

    prof = load_profile(profile)
    failed = 0
    for path in plans:
        try:
            plan, source = load(path)
            compiled = compile_plan(plan, prof, source)
        except UserError as exc:
            failed += 1
            print(f"error: {printable(str(exc))}", file=sys.stderr)
            continue
        capped = sum(s.capped_from_kmh is not None for s in compiled.steps)
        print(
            f"ok: {path}: {compiled.kind}, {len(compiled.steps)} "
            f"step{'s' if len(compiled.steps) != 1 else ''}, "
            f"{format_duration(compiled.total_time_s)}"
            + (f" ({capped} capped at max_speed: see plan show)" if capped else "")
        )
    if failed:
        raise typer.Exit(2)


def schema_command() -> None:
    """JSON Schema of a plan file (point your editor's YAML plugin at it)."""
    from treadpace.plans.json_schema import plan_json_schema

    print(json.dumps(plan_json_schema(), indent=2))
