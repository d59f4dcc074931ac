"""`treadpace paces`: VDOT and the training paces from a race result (or the profile's).

`treadpace paces --race 5k=25:00` prints the VDOT and the five Daniels paces
(formula model, see docs/plans.md) as a table, or JSON with `--json`. Without
`--race` it shows the paces of the runner's profile.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from treadpace.base.user_error import UserError

if TYPE_CHECKING:
    from treadpace.plans.profile import Paces


def register(app: typer.Typer) -> None:
    app.command("paces")(paces_command)


def parse_race(text: str) -> tuple[float, float]:
    """`5k=25:00` / `half=1:45:00` / `10 km=50:00` -> (metres, seconds)."""
    from treadpace.plans.paces import parse_clock, parse_distance

    distance, sep, time = text.partition("=")
    if not sep:
        raise UserError(f'--race: expected DISTANCE=TIME like 5k=25:00, got "{text}"')
    try:
        metres = parse_distance(distance.strip())
        seconds = parse_clock(time.strip())
    except ValueError as exc:
        raise UserError(f"--race: {exc}") from None
    if seconds <= 0:
        raise UserError(f'--race: expected a finish time above zero, got "{time}"')
    return metres, seconds


def paces_command(
    race: Annotated[
        str | None,
        typer.Option(
            "--race", help="A recent race as DISTANCE=TIME, e.g. 5k=25:00 or half=1:50:00."
        ),
    ] = None,
    profile: Annotated[
        Path | None,
        typer.Option("--profile", "-p", help="Show this profile's paces (when no --race)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """VDOT and training paces (easy, marathon, threshold, interval, repetition)."""
    from treadpace.plans.plan_report import paces_json

    zones: tuple[int, ...] | None = None
    if race is not None:
        paces, vdot, title = _race_paces(race)
    else:
        paces, vdot, zones, title = _profile_paces(profile)
    if as_json:
        out = paces_json(paces, vdot)
        if zones is not None:
            out["heart_rate_zones"] = [
                {"zone": k, "min_bpm": zones[k - 1], "max_bpm": zones[k]} for k in range(1, 6)
            ]
        print(json.dumps(out, indent=2))
        return
    _print_tables(title, paces, vdot, zones)


def _race_paces(race: str) -> tuple[Paces, float | None, str]:
    """The paces, VDOT and table title for `--race`."""
    from treadpace.plans.plan_report import one_decimal
    from treadpace.plans.profile import Paces
    from treadpace.plans.vdot import training_paces, vdot_from_race

    metres, seconds = parse_race(race)
    vdot: float | None = vdot_from_race(metres, seconds)
    assert vdot is not None
    try:
        derived = training_paces(vdot)
    except ValueError as exc:
        raise UserError(f"--race: {exc}") from None
    paces = Paces.model_validate(
        {**derived.named(), "easy_min": derived.easy_min, "easy_max": derived.easy_max}
    )
    return paces, vdot, f"VDOT {one_decimal(vdot):.1f} from {race}"


def _profile_paces(
    profile: Path | None,
) -> tuple[Paces, float | None, tuple[int, ...] | None, str]:
    """The profile's paces, VDOT, heart-rate zone bounds and table title."""
    from treadpace.plans import load_profile
    from treadpace.plans.plan_report import one_decimal

    prof = load_profile(profile)
    paces, vdot = prof.paces, prof.vdot
    which = "built-in default profile" if prof.is_default else f"profile {prof.name}"
    shown = f" (VDOT {one_decimal(vdot):.1f})" if vdot is not None else ""
    return paces, vdot, prof.heart_rate.bounds(), f"Paces of the {which}{shown}"


def _print_tables(
    title: str, paces: Paces, vdot: float | None, zones: tuple[int, ...] | None
) -> None:
    """The paces, then the equivalent race times and the heart-rate zones when known."""
    from rich.console import Console
    from rich.table import Table

    from treadpace.plans.plan_report import pace_rows, race_rows

    table = Table(title=title, title_justify="left")
    for col in ("pace", "per km", "per mile", "speed"):
        table.add_column(col)
    for row in pace_rows(paces):
        table.add_row(*row)
    console = Console()
    console.print(table)
    if vdot is not None:
        races = Table(title="Equivalent race times", title_justify="left")
        races.add_column("race")
        races.add_column("time", justify="right")
        for name, time in race_rows(vdot):
            races.add_row(name, time)
        console.print(races)
    if zones is not None:
        hr = Table(title="Heart-rate zones", title_justify="left")
        hr.add_column("zone", justify="right")
        hr.add_column("bpm", justify="right")
        for k in range(1, 6):
            hr.add_row(str(k), f"{zones[k - 1]}-{zones[k]}")
        console.print(hr)
