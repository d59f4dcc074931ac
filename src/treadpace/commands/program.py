"""`treadpace program`: weeks of runs between the progression runs (see `treadpace.program`).

`new` builds a program from the profile and the history and saves it in the data dir;
`show` prints each week's plans compiled, a table and a chart (`-o chart.png` draws it
with matplotlib); `today` brings the program up to date and shows today's run (`treadpace
run program:today` runs it); `export --ics` writes a calendar.
"""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO, TextIO

import typer

from treadpace.commands.options import ProfileOption
from treadpace.commands.record import DirOption

if TYPE_CHECKING:
    from treadpace.plans.profile import Profile
    from treadpace.plans.steps import CompiledPlan
    from treadpace.program.types import Program

app = typer.Typer(help="Programs: weeks of easy runs around a progression run every 10-14 days.",
                  no_args_is_help=True)  # fmt: skip


class GoalChoice(StrEnum):
    FIVE_K = "5k"
    TEN_K = "10k"
    HALF = "half"
    MARATHON = "marathon"
    GENERAL = "general"


def _date(text: str | None, option: str) -> dt.date | None:
    from treadpace.base.user_error import UserError

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{option}: expected a date like 2026-03-02, got {text!r}") from None


def _longest(text: str | None) -> float | None:
    from treadpace.base.user_error import UserError
    from treadpace.plans.paces import parse_duration

    if text is None:
        return None
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise UserError(f"--longest: {exc}") from None
    if not 60 <= seconds <= 6 * 3600:
        raise UserError(f"--longest: expected a run of 1:00 to 6:00:00, got {text!r}")
    return seconds


def new(
    weeks: Annotated[int, typer.Option("--weeks", min=4, max=16, help="4 to 16.")] = 8,
    runs_per_week: Annotated[
        int, typer.Option("--runs-per-week", min=2, max=6, help="2 to 6.")
    ] = 3,
    goal: Annotated[GoalChoice, typer.Option("--goal")] = GoalChoice.GENERAL,
    start: Annotated[
        str | None, typer.Option("--start", metavar="DATE", help="First day (default tomorrow).")
    ] = None,
    longest: Annotated[
        str | None,
        typer.Option("--longest", help='Your longest run of the last 30 days, e.g. "45min".'),
    ] = None,
    allow_spike: Annotated[
        bool, typer.Option("--allow-spike", help="Let runs pass the 1.10x guard (said each time).")
    ] = False,
    easy_share: Annotated[
        float, typer.Option("--easy-share", min=0.5, max=1.0, help="Share of easy time.")
    ] = 0.8,
    rhythm: Annotated[
        int, typer.Option("--rhythm", min=2, max=3, help="Build weeks before an easier one.")
    ] = 3,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace the program there is.")
    ] = False,
    directory: DirOption = None,
    profile: ProfileOption = None,
) -> None:
    """Build a program from your profile and history, save it, and show it."""
    from treadpace.base.user_error import UserError
    from treadpace.commands.record import _settings
    from treadpace.plans import load_profile
    from treadpace.program import service, store
    from treadpace.program.types import Goal, Settings

    prof = load_profile(profile)
    folder, _ = _settings(directory, profile)
    path = store.program_path()
    if path.exists() and not replace:
        raise UserError(f"{path}: a program exists (expected --replace to build a new one)")
    settings = Settings(weeks, runs_per_week, Goal(goal.value), _date(start, "--start"),
                        _longest(longest), allow_spike, easy_share, rhythm)  # fmt: skip
    program = service.new_program(settings, prof, folder, dt.date.today())
    store.save(program, path)
    program, plans = store.load(path)
    _print(program, service.compile_all(plans, prof, path), prof, None)
    print(f"saved {path}")


def show(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Also draw the chart into a .png.")
    ] = None,
    weeks: Annotated[int | None, typer.Option("--weeks", min=1, help="Only the first N.")] = None,
    profile: ProfileOption = None,
) -> None:
    """Each week's plans, compiled for your profile: a table and a chart."""
    from treadpace.plans import load_profile
    from treadpace.program import service, store

    prof = load_profile(profile)
    path = store.program_path()
    if not path.is_file():
        from treadpace.base.user_error import UserError

        raise UserError(f"{path}: no program yet (expected one: `treadpace program new`)")
    program, plans = store.load(path)
    _print(program, service.compile_all(plans, prof, path), prof, output, weeks)


def _print(
    program: Program,
    compiled: list[CompiledPlan],
    prof: Profile,
    output: Path | None,
    weeks: int | None = None,
) -> None:
    render(program, compiled, prof, sys.stdout, weeks)
    if output is not None:
        from treadpace.program import view
        from treadpace.program.weekly_chart import write_chart

        rows = view.week_rows(program, compiled, 3600.0 / float(prof.paces.easy))[:weeks]
        print(f"wrote {write_chart(rows, output, prof.imperial)}")


def render(
    program: Program,
    compiled: list[CompiledPlan],
    prof: Profile,
    out: TextIO,
    weeks: int | None = None,
) -> None:
    """The weeks line by line, the table by week, the chart and the notes, into `out`."""
    from rich.console import Console
    from rich.table import Table

    from treadpace.base.display import distance, duration
    from treadpace.program import view

    easy_kmh = 3600.0 / float(prof.paces.easy)
    # Plain lines are written as they are (rich would measure each); rich draws the table.
    out.write("".join(f"{line}\n" for line in view.week_lines(
        program, compiled, easy_kmh, prof.imperial, weeks)))  # fmt: skip
    rows = view.week_rows(program, compiled, easy_kmh)[:weeks]
    table = Table(title="By week", title_justify="left")
    for column in ("week", "from", "runs", "time", "distance", "easy", "progression run"):
        table.add_column(column)
    for r in rows:
        table.add_row(f"{r.week}{' (easier)' if r.recovery else ''}", r.first, str(r.runs),
                      duration(r.seconds), distance(r.metres, prof.imperial),
                      f"{round(r.easy_share * 100)} %", r.progression)  # fmt: skip
    Console(file=out, highlight=False).print(table)
    lines = [*view.chart_lines(rows, prof.imperial), *(f"note: {n}" for n in program.notes)]
    out.write("".join(f"{line}\n" for line in lines))
    out.flush()


def today(directory: DirOption = None, profile: ProfileOption = None) -> None:
    """Today's run, after moving what a missed or cut-short run moves (and saying why)."""
    from treadpace.base.user_error import UserError
    from treadpace.commands.plan import print_plan
    from treadpace.commands.record import _settings
    from treadpace.plans import compile_plan, load_profile
    from treadpace.program import service, store

    prof = load_profile(profile)
    folder, _ = _settings(directory, profile)
    day = dt.date.today()
    program, plans, reasons = service.current(prof, folder, store.program_path(), day)
    for reason in reasons:
        print(f"moved: {reason}")
    for workout, plan in zip(program.workouts, plans, strict=True):
        if workout.day == day:
            print(f"today ({workout.status.value}): {workout.why}")
            print_plan(compile_plan(plan, prof, str(store.program_path())), prof)
            print("run it: treadpace run program:today")
            return
    upcoming = next((w for w in program.workouts if w.day > day), None)
    if upcoming is None:
        raise UserError(f"{store.program_path()}: the program has ended (`program new`)")
    print(f"rest day; next: {upcoming.day} {upcoming.plan.get('name', '')} ({upcoming.why})")


def export(
    ics: Annotated[
        Path | None, typer.Option("--ics", help="Write the program as a calendar file.")
    ] = None,
    icu: Annotated[
        bool,
        typer.Option(
            "--icu",
            help="Put the program on your intervals.icu calendar (updated in place when sent "
            "again), so a watch linked there gets each workout.",
        ),
    ] = False,
    profile: ProfileOption = None,
) -> None:
    """Export the program: an .ics calendar, and/or your intervals.icu calendar."""
    from treadpace.base.user_error import UserError
    from treadpace.plans import load_profile
    from treadpace.program import service, store

    if ics is None and not icu:
        raise UserError("program export: expected --ics FILE, --icu or both")
    prof = load_profile(profile)
    path = store.program_path()
    program, plans = store.load(path)
    compiled = service.compile_all(plans, prof, path)
    if ics is not None:
        _write_ics(ics, program, compiled, prof.imperial)
    if icu:
        _push_icu(prof, [(w.day, c) for w, c in zip(program.workouts, compiled, strict=True)])


def _write_ics(ics: Path, program: Any, compiled: list[Any], imperial: bool) -> None:
    from treadpace.plans.plan_report import totals_line
    from treadpace.program.ics import to_ics
    from treadpace.record.output import check_target, write_atomically

    texts = [totals_line(c, imperial) for c in compiled]
    text = to_ics(program, texts, dt.datetime.now(dt.UTC))
    check_target(ics)
    data = text.encode("utf-8")

    def write(out: BinaryIO) -> None:
        out.write(data)

    write_atomically(ics, write)
    print(f"wrote {ics} ({len(program.workouts)} workouts)")


def _push_icu(prof: Any, items: list[tuple[dt.date, Any]]) -> None:
    """Upsert every workout on the intervals.icu calendar (by its external id: no doubles)."""
    import asyncio
    import time

    from treadpace.sync.failure import SyncError
    from treadpace.sync.push import push_to_icu

    try:
        pushed = asyncio.run(push_to_icu(prof.sync, items, time.time()))
    except SyncError as exc:
        print(f"intervals.icu: {exc}", file=sys.stderr)
        raise typer.Exit(5) from None
    print(f"intervals.icu: {len(pushed)} workouts on your calendar (sent again: updated in place)")


def register(root: typer.Typer) -> None:
    app.command("new")(new)
    app.command("show")(show)
    app.command("today")(today)
    app.command("export")(export)
    root.add_typer(app, name="program")
