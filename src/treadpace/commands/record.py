"""`treadpace history`, `export` and `report`: what happens to a run after the belt stops.

Runs live in the profile's recording directory (`recording.directory`), or in
`--dir`. A RUN argument is a journal path, a run id from `history` (or a unique
prefix of one), or `latest`.
"""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from treadpace.commands.options import ProfileOption

if TYPE_CHECKING:
    from rich.table import Table
    from rich.text import Text

    from treadpace.record.history_view import Units
    from treadpace.record.runs import RunSummary

DirOption = Annotated[
    Path | None,
    typer.Option("--dir", help="Recording directory (default: the profile's recording.directory)."),
]
RunArgument = Annotated[
    str,
    typer.Argument(help="A journal path, a run id (or unique prefix) from `history`, or `latest`."),
]


def _profile(profile: Path | None) -> Any | None:
    """The runner's profile, or None while the plans package has no profile loader."""
    plans = importlib.import_module("treadpace.plans")
    loader = getattr(plans, "load_profile", None)
    if loader is None:
        return None
    return loader(profile)


def _settings(directory: Path | None, profile: Path | None) -> tuple[Path, bool | None]:
    """(recording directory, imperial?) from the options and the profile."""
    from treadpace.base.paths import data_dir

    loaded = _profile(profile)
    # The built-in default profile knows nothing of the runner: keep each run's own units.
    imperial: bool | None = None
    if loaded is not None and not getattr(loaded, "is_default", False):
        imperial = bool(loaded.imperial)
    if directory is not None:
        return directory.expanduser(), imperial
    if loaded is not None:
        return Path(loaded.recording.directory).expanduser(), imperial
    return data_dir() / "runs", imperial


def history(
    directory: DirOption = None,
    profile: ProfileOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List recorded runs: date, plan, distance, time, average pace, outcome."""
    from treadpace.record.runs import list_runs

    folder, imperial = _settings(directory, profile)
    loaded = _profile(profile)
    units = bool(loaded.imperial) if imperial is None and loaded is not None else bool(imperial)
    runs = list_runs(folder)
    if as_json:
        print(json.dumps([_run_json(r, units) for r in runs], indent=2))
        return
    from rich.console import Console

    from treadpace.record.history_view import Units, totals

    console = Console()
    if not runs:
        console.print(f"No recorded runs in {folder}.")
        return
    # One unit per column, the profile's: the column heading says which.
    shown = Units(units)
    # Lines as long as they are: a terminal wraps them, a file or a pipe keeps them whole.
    console.print(_runs_table(runs, folder, shown), soft_wrap=True)
    console.print(totals(runs, shown), markup=False, highlight=False)
    console.print(_weeks_table(runs, shown))


def _run_json(r: RunSummary, units: bool) -> dict[str, Any]:
    """One run of `history --json`."""
    from treadpace.base.display import pace as format_pace

    return {
        "id": r.id,
        "path": str(r.path),
        "start": datetime.fromtimestamp(r.start_wall, UTC).isoformat().replace("+00:00", "Z"),
        "plan": r.plan_name,
        "distance_m": round(r.distance_m, 1),
        "time_s": round(r.timer_s, 1),
        "avg_speed_kmh": round(r.avg_speed_kmh, 2),
        "avg_pace": format_pace(r.avg_speed_kmh, units),
        "status": r.status,
        "departures": {k.value: round(sec, 1) for k, sec in r.departures},
        "guided_cause": r.guided_cause.value if r.guided_cause is not None else None,
        "simulated": r.simulated,
        "plan_kind": r.plan_kind,
        "hr_held_s": round(r.hr_held_s, 1),
        "max_hr_bpm": r.max_hr_bpm,
    }


def _runs_table(runs: list[RunSummary], folder: Path, shown: Units) -> Text:
    """One row a run; the first column is the UTC start stamp, an id prefix RUN accepts."""
    from treadpace.base.display import duration as format_duration
    from treadpace.base.printable import printable
    from treadpace.record.history_view import headings, marks
    from treadpace.record.journal import RunStatus

    style = {RunStatus.FINISHED: "", RunStatus.ABORTED: "yellow"}
    rows: list[list[list[tuple[str, str]]]] = []
    for r in runs:
        outcome = [(r.status.value, style.get(r.status, "red"))]
        if marks(r):
            # Not the plan as written (guided, capped, held, hr-held), or a simulated run.
            outcome.append((f" ({marks(r)})", "magenta"))
        cells = (
            printable(r.id[:19]),
            printable(r.plan_name),
            shown.length(r.distance_m),
            format_duration(r.timer_s),
            shown.pace_of(r.avg_speed_kmh),
            str(r.max_hr_bpm or "--"),
        )
        rows.append([*([(c, "")] for c in cells), outcome])
    return _grid(f"Runs in {folder}", headings(shown), rows, right=range(2, 6))


def _grid(
    title: str, heads: tuple[str, ...], rows: list[list[list[tuple[str, str]]]], right: range
) -> Text:
    """A table as one styled text: a title, the headings, a rule, a line a row.

    What rich's Table draws, without measuring and laying out every cell as a
    renderable of its own: a thousand runs made a table of cells take a second.
    """
    from rich.cells import cell_len
    from rich.text import Span, Text

    texts = [["".join(t for t, _ in cell) for cell in row] for row in rows]
    widths = [max([cell_len(h), *(cell_len(r[i]) for r in texts)]) for i, h in enumerate(heads)]
    rule = "─" * (sum(widths) + 2 * len(widths))
    parts = [title.center(len(rule)).rstrip(), "\n"]
    spans: list[Span] = [Span(0, len(parts[0]), "italic")]
    at = len(parts[0]) + 1

    def line(cells: list[list[tuple[str, str]]], plain: list[str]) -> None:
        nonlocal at
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - cell_len(plain[i]))
            lead = "  " + (pad if i in right else "")
            parts.append(lead)
            at += len(lead)
            for text, look in cell:
                if look:
                    spans.append(Span(at, at + len(text), look))
                parts.append(text)
                at += len(text)
            if i not in right and i < len(cells) - 1:
                parts.append(pad)
                at += len(pad)
        parts.append("\n")
        at += 1

    line([[(h, "bold")] for h in heads], list(heads))
    parts.append(f" {rule}\n")
    at += len(rule) + 2
    for row, plain in zip(rows, texts, strict=True):
        line(row, plain)
    return Text("".join(parts), spans=spans)


def _weeks_table(runs: list[RunSummary], shown: Units) -> Table:
    from rich import box
    from rich.table import Table

    from treadpace.record.history_view import weekly

    week_table = Table(title="By week (simulated runs left out)", box=box.SIMPLE_HEAD)
    for column in ("week", "runs", shown.distance, "time", "progression runs"):
        week_table.add_column(column, justify="left" if column == "week" else "right")
    for row in weekly(runs, shown):
        week_table.add_row(*row)
    return week_table


def export(
    run: RunArgument,
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            help="fit, tcx or csv; repeat or comma-separate [default: from -o, else fit].",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help=(
                "Output file (one format, named .fit/.tcx/.csv), directory (default: beside"
                " the journal), or - for standard output."
            ),
        ),
    ] = None,
    directory: DirOption = None,
    profile: ProfileOption = None,
) -> None:
    """Export a run to FIT (Strava, Garmin Connect), TCX or CSV; interrupted runs too."""
    from treadpace.record.activity import build_activity
    from treadpace.record.export import FORMATS, write_format
    from treadpace.record.journal import read_journal
    from treadpace.record.output import STDOUT, write_stdout
    from treadpace.record.runs import resolve_run

    wanted, targets = _export_targets(formats, output)
    folder, _ = _settings(directory, profile)
    journal = resolve_run(run, folder)
    activity = build_activity(read_journal(journal))
    if output is not None and str(output) == STDOUT:
        fmt = wanted[0]
        write_stdout(fmt, lambda out: FORMATS[fmt](activity, out))
        return
    if targets is None:
        out_dir = output if output is not None else journal.parent
        targets = [out_dir / f"{activity.id}.{fmt}" for fmt in wanted]
    for fmt, target in zip(wanted, targets, strict=True):
        print(write_format(activity, fmt, target))


def _export_targets(
    formats: list[str] | None, output: Path | None
) -> tuple[list[str], list[Path] | None]:
    """(formats, files) from -f and -o; files is None when they go into a directory."""
    from treadpace.base.user_error import UserError
    from treadpace.record.export import FORMATS, check_formats, check_suffix
    from treadpace.record.output import STDOUT

    to_stdout = output is not None and str(output) == STDOUT
    to_file = output is not None and not to_stdout and not output.is_dir()
    if formats:
        wanted = check_formats([f for item in formats for f in item.split(",")])
    elif to_file and output is not None:
        # `-o run.tcx` says which format it wants.
        suffix = output.suffix.lower().lstrip(".")
        if suffix not in FORMATS:
            raise UserError(
                f"{output}: -o: expected a file name ending in .fit, .tcx or .csv,"
                " or an existing directory"
            )
        wanted = [suffix]
    else:
        wanted = ["fit"]  # what Strava and Garmin prefer
    if (to_stdout or to_file) and len(wanted) > 1:
        into = "to standard output" if to_stdout else "in one file"
        raise UserError(f"{output}: -o: not several formats {into}; expected an existing directory")
    if not to_file or output is None:
        return wanted, None
    check_suffix(output, wanted[0])
    return wanted, [output]


PIPED_WIDTH = 200
"""Columns for `report` into a pipe or file: wide enough that no cell wraps."""


def report(
    run: RunArgument,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the chart to a .png or .svg file."),
    ] = None,
    directory: DirOption = None,
    profile: ProfileOption = None,
) -> None:
    """Summary of a run: per-step table and a chart of target vs actual speed and heart rate."""
    import sys

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from treadpace.base.user_error import UserError
    from treadpace.record.activity import build_activity
    from treadpace.record.hr_zones import zone_seconds, zones_text
    from treadpace.record.journal import read_journal
    from treadpace.record.run_chart import IMAGE_SUFFIXES, pyplot
    from treadpace.record.run_report import headline, step_rows, step_table, text_chart
    from treadpace.record.runs import resolve_run

    if output is not None:
        if output.suffix.lower() not in IMAGE_SUFFIXES:
            raise UserError(f"{output}: -o: expected a .png or .svg file name")
        pyplot()  # without matplotlib: its one line now, before the report is printed
    folder, imperial = _settings(directory, profile)
    journal = resolve_run(run, folder)
    activity = build_activity(read_journal(journal))
    units = activity.imperial if imperial is None else imperial
    # Piped, the table keeps its own width rather than the 80 columns of no terminal.
    console = Console(width=None if sys.stdout.isatty() else PIPED_WIDTH)
    console.print(f"[bold]{escape(headline(activity, units))}[/]")
    table = Table()
    columns, cells = step_table(step_rows(activity, units))
    for column in columns:
        table.add_column(column)
    for row in cells:
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)
    whole = zones_text(zone_seconds(activity.moving_samples))
    if whole:
        console.print(f"time in zones: {whole}")
    if output is None:
        for line in text_chart(activity, units):
            console.print(line, markup=False, highlight=False)
        return
    from treadpace.record.run_chart import write_chart

    print(write_chart(activity, output, units))


def register(app: typer.Typer) -> None:
    app.command("history")(history)
    app.command("export")(export)
    app.command("report")(report)
