"""`treadpace init`: a first profile without reading the docs or copying YAML.

Asks for units, a recent race (or paces by hand), the belt's limits (the max
speed proposed from the runner's fastest training pace and the treadmill's top
speed), optionally heart-rate figures, and whether a remote start may move the
belt; offers a Bluetooth scan to pin the treadmill (and a footpod, when one is
heard); writes
`<config home>/profile.yaml`, prints the paces (and zones) in the runner's units
and the command to run next. Every answer is checked as it is typed, through the
same loader a run uses: a bad one is said in one line and asked again. With
`--yes` nothing is asked: flags and defaults only, and no scan (a scan picks a
device, which is the runner's choice); a bad flag is one line naming it, exit 2.
An existing profile is never replaced without asking: interactively the runner
is asked, with `--yes` it takes `--force` (else exit 2).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar, cast

import typer

from treadpace.base.user_error import UserError

if TYPE_CHECKING:
    from treadpace.plans.init_answers import Answers, Units
    from treadpace.plans.profile import Profile
    from treadpace.treadmill.ble_scan import Advertiser

T = TypeVar("T")


def register(app: typer.Typer) -> None:
    app.command("init")(init_command)


def _speed_text(value: str, units: str, flag: str) -> str:
    from treadpace.plans.paces import parse_speed

    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        try:
            parse_speed(text)
        except ValueError as exc:
            raise UserError(f"{flag}: {exc}") from None
        return text
    if not number > 0:
        raise UserError(f'{flag}: expected a speed above zero, got "{value}"')
    return f"{number:g} {'mph' if units == 'imperial' else 'km/h'}"


def _incline_text(value: str, flag: str) -> str:
    from treadpace.plans.paces import parse_percent

    try:
        number = parse_percent(value)
    except ValueError as exc:
        raise UserError(f"{flag}: {exc}") from None
    if number < 0:
        raise UserError(f'{flag}: expected an incline of 0 % or more, got "{value}"')
    return f"{number:g}%"


def _race(value: str) -> tuple[str, str]:
    from treadpace.commands.paces import parse_race

    parse_race(value)
    distance, _, time = value.partition("=")
    return distance.strip(), time.strip()


def _pace(value: str) -> tuple[str, str]:
    from treadpace.plans.paces import PACE_NAMES, parse_pace

    name, sep, pace = value.partition("=")
    name = name.strip().lower()
    if not sep or name not in PACE_NAMES:
        raise UserError(
            f'--pace: expected NAME=PACE with NAME one of {", ".join(PACE_NAMES)}, got "{value}"'
        )
    try:
        expr = parse_pace(pace)
    except ValueError as exc:
        raise UserError(f"--pace: {exc}") from None
    if expr.name is not None:
        raise UserError(f'--pace: expected an absolute pace like 6:30/km, got "{pace.strip()}"')
    return name, pace.strip()


def _ask(question: str, default: str, parse: Callable[[str], T]) -> T:
    """Ask until the answer parses; a bad answer is said in one line and asked again."""
    while True:
        answer = str(typer.prompt(question, default=default, show_default=bool(default)))
        try:
            return parse(answer)
        except UserError as exc:
            typer.echo(f"  {str(exc).split(': ', 1)[-1]}")


def _optional_int(low: int, high: int, what: str) -> Callable[[str], int | None]:
    def parse(text: str) -> int | None:
        if not text.strip() or text.strip() == "-":
            return None
        try:
            number = int(text.strip())
        except ValueError:
            raise UserError(f'{what}: expected a whole number, got "{text}"') from None
        if not low <= number <= high:
            raise UserError(f"{what}: expected {low}-{high}, got {number}")
        return number

    return parse


def _units(value: str) -> Units:
    text = value.strip().lower()
    if text not in ("metric", "imperial"):
        raise UserError(f'--units: expected metric or imperial, got "{value}"')
    return cast("Units", text)


def _race_or_none(text: str) -> tuple[str, str] | None:
    return _race(text) if text.strip() and text.strip() != "-" else None


def _pace_kmh(text: str, imperial: bool) -> float:
    from treadpace.plans.paces import parse_pace

    return parse_pace(text).speed_kmh({}, imperial)


def _ask_paces(units: str) -> dict[str, str]:
    """The four paces by hand, each checked as typed: faster than the one before it."""
    from treadpace.base.display import pace as format_pace

    imperial = units == "imperial"
    unit = "mi" if imperial else "km"
    paces: dict[str, str] = {}
    before: tuple[str, float] | None = None
    for name in ("easy", "marathon", "threshold", "interval"):

        def parse(text: str, name: str = name, before: tuple[str, float] | None = before) -> str:
            pace = _pace(f"{name}={text}")[1]
            kmh = _pace_kmh(pace, imperial)
            if before is not None and kmh <= before[1]:
                raise UserError(
                    f"--pace: expected {name} faster than {before[0]} "
                    f"({format_pace(before[1], imperial)}), got {format_pace(kmh, imperial)}"
                )
            return pace

        paces[name] = _ask(f"  {name} pace (m:ss/{unit})", "", parse)
        before = (name, _pace_kmh(paces[name], imperial))
    return paces


def _pin_devices(a: Answers) -> None:
    """Scan once; let the runner pick the treadmill, then a footpod if one was heard.

    Bluetooth trouble is said and skipped. The footpod question is asked only when a
    pod answered the scan: a runner without one is never asked about it.
    """
    from treadpace.commands.ble import _run
    from treadpace.treadmill.ble_scan import scan

    typer.echo("looking for treadmills and footpods (5 s)...")
    try:
        heard = _run(scan(5.0, footpod=True))
    except UserError as exc:
        typer.echo(f"  no scan: {exc}")
        return
    rows = [r for r in heard if r.fitness_machine]
    if not rows:
        typer.echo("  no treadmill found; pin one later with treadmill.address in the profile")
    else:
        chosen = _pick(rows, "Which treadmill (0 for none)")
        if chosen is not None:
            a.treadmill_address, a.treadmill_name = chosen.address, chosen.name
    pods = [r for r in heard if r.footpod]
    if pods:
        typer.echo("footpods heard (one measures your true pace; see docs/true-pace.md):")
        pod = _pick(pods, "Which footpod to use (0 for none)")
        if pod is not None:
            a.footpod_address = pod.address


def _pick(rows: list[Advertiser], question: str) -> Advertiser | None:
    for i, r in enumerate(rows, start=1):
        typer.echo(f"  {i}. {r.address}  {r.name or '(no name)'}  {r.rssi} dBm")
    pick = _ask(question, "1", _optional_int(0, len(rows), "choice"))
    return rows[pick - 1] if pick else None


def _write(target: Path, text: str, replace: bool) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if not replace:
        # "x": never clobber a profile that appeared while we were asking.
        with target.open("x", encoding="utf-8") as f:
            f.write(text)
        return
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)


MaxSpeedOption = Annotated[
    str | None,
    typer.Option(
        "--max-speed",
        help="Your belt limit: 16 km/h, 10 mph, or a number (default: just above your "
        "fastest training pace).",
    ),
]
TreadmillMaxOption = Annotated[
    str | None,
    typer.Option(
        "--treadmill-max-speed", help="The treadmill's top speed, if known (caps the default)."
    ),
]
RemoteStartOption = Annotated[
    bool,
    typer.Option(
        "--allow-remote-start",
        help="Let a start from MQTT or the live page move the belt (default: off).",
    ),
]


def init_command(
    race: Annotated[
        str | None, typer.Option("--race", help="A recent race, DISTANCE=TIME (5k=25:00).")
    ] = None,
    units: Annotated[str | None, typer.Option("--units", help="metric or imperial.")] = None,
    pace: Annotated[
        list[str] | None,
        typer.Option("--pace", help="A pace by hand, NAME=PACE (easy=6:30/km); repeatable."),
    ] = None,
    max_speed: MaxSpeedOption = None,
    treadmill_max: TreadmillMaxOption = None,
    max_incline: Annotated[
        str | None, typer.Option("--max-incline", help="Incline limit in percent.")
    ] = None,
    max_hr: Annotated[int | None, typer.Option("--max-hr", help="Maximum heart rate.")] = None,
    rest_hr: Annotated[int | None, typer.Option("--rest-hr", help="Resting heart rate.")] = None,
    age: Annotated[int | None, typer.Option("--age", help="Age (estimates max HR).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="The runner's name.")] = None,
    remote_start: RemoteStartOption = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Ask nothing: flags and defaults only.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing profile without asking.")
    ] = False,
) -> None:
    """Write your profile (units, paces, limits, heart rate) and show the paces it gives."""
    from treadpace.base.paths import config_home
    from treadpace.plans.init_answers import Answers

    target = config_home() / "profile.yaml"
    ask = not yes
    replace = target.exists()
    if replace and not force:
        if not ask:
            raise UserError(f"{target}: a profile is already there; expected --force to replace it")
        if not typer.confirm(f"{target} exists. Replace it?", default=False):
            typer.echo("kept the existing profile")
            return
    a = Answers()
    a.units = _units(units) if units else "metric"
    if ask and units is None:
        a.units = _ask("Units (metric or imperial)", "metric", _units)
    a.name = name or (_ask("Your name", "runner", str.strip) if ask else "runner")
    _race_or_paces(a, ask, race, pace or [])
    _limits(a, ask, Limits(max_speed, treadmill_max, max_incline))
    _heart_rate(a, ask, max_hr, rest_hr, age)
    _remote_start(a, ask, remote_start)
    if ask and typer.confirm("Look for your treadmill over Bluetooth now, to pin it?", False):
        _pin_devices(a)
    _finish(a, target, replace)


def _checked(a: Answers, flag: str) -> Profile:
    """The profile the answers so far make, or the loader's reason as the flag's one line."""
    from treadpace.plans.init_answers import check_answers

    try:
        return check_answers(a)
    except UserError as exc:
        raise UserError(f"{flag}: {_reason(exc)}") from None


def _reason(exc: UserError) -> str:
    """The loader's message without where it was ("profile:7: "): there is no file yet."""
    return re.sub(r"^[^:]*:\d+: ", "", str(exc))


def _race_or_paces(a: Answers, ask: bool, race: str | None, paces: list[str]) -> None:
    """A race to derive paces from, paces by hand, or (asking nothing) a 25:00 5K."""
    a.paces = dict(_pace(p) for p in paces)
    picked = _race(race) if race else None
    if picked is not None:
        a.race_distance, a.race_time = picked
    if picked is None and not a.paces:
        if not ask:
            a.race_distance, a.race_time = "5k", "25:00"
            typer.echo("no --race or --pace: paces from a 25:00 5K (change race: in the profile)")
        else:
            _ask_race_or_paces(a)
    _checked(a, "--pace" if a.paces else "--race")


def _ask_race_or_paces(a: Answers) -> None:
    while True:
        picked = _ask(
            "A recent race as DISTANCE=TIME (5k=25:00, half=1:50:00), or - for paces by hand",
            "-",
            _race_or_none,
        )
        if picked is not None:
            a.race_distance, a.race_time = picked
        else:
            a.paces = _ask_paces(a.units)
        try:
            _checked(a, "paces")
            return
        except UserError as exc:  # the paces together (each was checked as typed)
            typer.echo(f"  {str(exc).split(': ', 1)[-1]}")
            a.paces, a.race_distance, a.race_time = {}, None, None


@dataclass(frozen=True)
class Limits:
    """The limits given as flags (None: not given)."""

    max_speed: str | None
    treadmill_max: str | None
    max_incline: str | None


def _limits(a: Answers, ask: bool, flags: Limits) -> None:
    from treadpace.plans.init_answers import DEFAULT_MAX_INCLINE, propose_max_speed
    from treadpace.plans.paces import parse_speed

    machine: str | None = None
    if flags.treadmill_max is not None:
        machine = _speed_text(flags.treadmill_max, a.units, "--treadmill-max-speed")
    elif ask and flags.max_speed is None:
        machine = _ask(
            "Your treadmill's top speed (on its console or in its manual; - if unknown)", "-",
            lambda t: None if t.strip() in ("", "-") else _speed_text(t, a.units, "top speed"),
        )  # fmt: skip
    if flags.max_speed is not None:
        a.max_speed = _speed_text(flags.max_speed, a.units, "--max-speed")
    else:
        proposal = propose_max_speed(
            _checked(a, "--race"), None if machine is None else parse_speed(machine)
        )
        typer.echo(f"max speed: {proposal.text}, {proposal.why}")
        a.max_speed = proposal.text
        if ask:
            a.max_speed = _ask(
                "Highest belt speed for you", proposal.text,
                lambda t: _speed_text(t, a.units, "max speed"),
            )  # fmt: skip
    if flags.max_incline is not None:
        a.max_incline = _incline_text(flags.max_incline, "--max-incline")
    elif ask:
        a.max_incline = _ask(
            "Steepest incline (%)", DEFAULT_MAX_INCLINE, lambda t: _incline_text(t, "max incline")
        )
    _checked(a, "--max-speed")


def _heart_rate(
    a: Answers, ask: bool, max_hr: int | None, rest_hr: int | None, age: int | None
) -> None:
    checks = (
        ("--max-hr", max_hr, 81, 249),
        ("--rest-hr", rest_hr, 21, 149),
        ("--age", age, 5, 110),
    )
    for flag, value, low, high in checks:
        if value is not None:
            _optional_int(low, high, flag)(str(value))
    a.max_bpm, a.rest_bpm, a.age = max_hr, rest_hr, age
    if not ask or any(v is not None for v in (max_hr, rest_hr, age)):
        _checked(a, "--rest-hr")
        return
    a.max_bpm = _ask("Maximum heart rate (bpm, - to skip)", "-", _optional_int(81, 249, "max"))
    if a.max_bpm is None:
        a.age = _ask("Age, to estimate it (- to skip)", "-", _optional_int(5, 110, "age"))
    if a.max_bpm is not None or a.age is not None:

        def rest(text: str) -> int | None:
            a.rest_bpm = _optional_int(21, 149, "rest")(text)
            _checked(a, "rest")  # below the maximum
            return a.rest_bpm

        a.rest_bpm = _ask("Resting heart rate (bpm, - to skip)", "-", rest)


def _remote_start(a: Answers, ask: bool, flag: bool) -> None:
    a.allow_remote_start = flag
    if ask and not flag:
        typer.echo(
            "Remote start: Home Assistant (MQTT) or the live page on your phone may start the"
            " belt while you are not at the keys."
        )
        a.allow_remote_start = typer.confirm("Allow remote start?", default=False)


def _finish(a: Answers, target: Path, replace: bool) -> None:
    from treadpace.plans.init_answers import profile_text
    from treadpace.plans.plan_report import one_decimal

    text = profile_text(a)
    profile = _checked(a, "treadpace init")
    try:
        _write(target, text, replace)
    except FileExistsError:
        raise UserError(f"{target}: a profile appeared meanwhile; kept it") from None
    except OSError as exc:
        raise UserError(f"{target}: expected a writable place ({exc.strerror})") from None
    typer.echo(f"wrote {target}")
    if profile.vdot is not None:
        typer.echo(
            f"VDOT {one_decimal(profile.vdot):.1f} from your {a.race_distance} in {a.race_time}"
        )
    for line in _pace_lines(profile):
        typer.echo(line)
    bounds = profile.heart_rate.bounds()
    if bounds is not None:
        how = "% of heart-rate reserve" if profile.heart_rate.zones == "karvonen" else "% of max"
        typer.echo(f"heart-rate zones ({how}, max {profile.heart_rate.max_bpm:g} bpm):")
        for k in range(1, 6):
            typer.echo(f"  zone {k}  {bounds[k - 1]}-{bounds[k]} bpm")
    where = "your treadmill" if a.treadmill_address else "the simulator until a treadmill is pinned"
    typer.echo(f"next: treadpace run thirds   (on {where}; `treadpace plan list` shows the plans)")


def _pace_lines(profile: Profile) -> list[str]:
    """The paces in the runner's own units first (per mile and mph for an imperial runner)."""
    from treadpace.plans.plan_report import pace_rows

    lines = []
    for name, per_km, per_mi, speeds in pace_rows(profile.paces):
        metric_speed, _, imperial_speed = speeds.partition(" / ")
        if profile.imperial:
            lines.append(f"  {name:<11} {per_mi:<16} {imperial_speed:<9} ({per_km.split(' (')[0]})")
        else:
            lines.append(f"  {name:<11} {per_km:<26} {metric_speed:<10} ({per_mi})")
    return lines
