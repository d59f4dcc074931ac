"""`treadpace calibrate`: measure how fast the belt really runs, against the runner's footpod.

A guided run of about nine minutes: an easy warm-up, then three or more speeds
(from the runner's easy pace up to threshold, within the cap) held 90 s each, and
the middle one again on an incline when the profile allows one. It is an ordinary
run (the countdown, the caps, the confirmed stop: every safety rule), whose ticks
are also collected: the belt's speed and the footpod's, once the belt has settled,
in windows of 30 s. The fit (treadmill/true_speed.py) is saved in the profile
under the treadmill's identity with the date and the residuals; `--check`
measures again without saving and says whether the belt has drifted.

The footpod must read at 100 % (its own calibration factor at 1.000) while it is
the reference: docs/true-pace.md says why.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from treadpace.base.user_error import UserError
from treadpace.commands.options import DeviceOption, ModelOption, ProfileOption

if TYPE_CHECKING:
    from treadpace.engine.hub import Subscription
    from treadpace.plans.profile import Profile
    from treadpace.treadmill.true_speed import Calibration, Sample

DRIFT_PERCENT = 1.0
"""A belt whose ratio moved more than this at any speed has drifted: calibrate again."""
INCLINE_PERCENT = 4.0


def register(app: typer.Typer) -> None:
    app.command("calibrate")(calibrate_command)


def calibrate_command(
    profile: ProfileOption = None,
    check: Annotated[
        bool, typer.Option("--check", help="Measure again without saving; say if it drifted.")
    ] = False,
    model: ModelOption = None,
    device: DeviceOption = None,
    speeds: Annotated[
        str | None,
        typer.Option("--speeds", help="Speeds to hold, in your units (e.g. 8,10,12,14)."),
    ] = None,
    time_scale: Annotated[
        float, typer.Option("--time-scale", help="Simulator only: run N times faster.")
    ] = 1.0,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Start the belt at once, without the countdown.")
    ] = False,
    virtual_clock: Annotated[bool, typer.Option("--virtual-clock", hidden=True)] = False,
) -> None:
    """Calibrate the belt against your footpod: about nine minutes at three or more speeds."""
    from treadpace.commands import run_checks
    from treadpace.plans.loader import load_profile

    run_checks.check_time_scale(time_scale)
    prof = load_profile(profile)
    path = _profile_path(profile)
    if not check and path is None:
        raise UserError(
            "calibrate: expected a profile file to save the calibration in "
            "(run `treadpace init` first, or use --check)"
        )
    chosen = _speeds(prof, speeds)
    print(
        "calibrating against your footpod: set its own calibration factor to 100 % (1.000) "
        "first, or the belt is measured against the pod's error (docs/true-pace.md)"
    )
    sim_model = model or (None if (device or prof.treadmill.address or prof.treadmill.name)
                          else prof.treadmill.simulator_model)
    target = None if sim_model is not None else (device or prof.treadmill.address
                                                  or prof.treadmill.name)
    samples, machine = _measure(prof, chosen, sim_model, target, time_scale, yes, virtual_clock)
    fitted = _fit(samples)
    _show(fitted, prof.imperial)
    saved = prof.true_pace.calibrations.get(machine)
    if check:
        _check(fitted, saved, prof.imperial)
        return
    assert path is not None
    _save(path, machine, fitted)


def _profile_path(option: Path | None) -> Path | None:
    import os

    from treadpace.base.paths import config_home
    from treadpace.plans.loader import PROFILE_ENV

    if option is not None:
        return Path(option)
    env = os.environ.get(PROFILE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    user = config_home() / "profile.yaml"
    return user if user.is_file() else None


def _speeds(prof: Profile, text: str | None) -> list[float]:
    """The speeds to hold: the runner's own, else easy, marathon, threshold and between."""
    from treadpace.plans.paces import parse_speed

    if text:
        unit = "mph" if prof.imperial else "km/h"
        try:
            chosen = [parse_speed(f"{part.strip()} {unit}") for part in text.split(",")]
        except ValueError:
            raise UserError(f"--speeds: expected speeds in {unit} such as 8,10,12") from None
    else:
        easy, threshold = 3600.0 / prof.paces.easy, 3600.0 / prof.paces.threshold
        chosen = [easy + (threshold - easy) * k / 3 for k in range(4)]
    chosen = sorted({round(min(v, float(prof.max_speed_kmh)), 1) for v in chosen})
    if len(chosen) < 3:
        raise UserError("--speeds: expected at least three different speeds within max_speed")
    return chosen


def _measure(
    prof: Profile,
    speeds: list[float],
    sim_model: str | None,
    device: str | None,
    time_scale: float,
    yes: bool,
    virtual: bool,
) -> tuple[list[Sample], str]:
    """Run the routine as a session; the ticks' belt and footpod speeds, and the machine."""

    from treadpace.base.clock import Clock, ScaledClock, VirtualClock
    from treadpace.commands.run import exit_code, machine_identity, play, treadmill_parts
    from treadpace.plans.true_pace_settings import TruePaceSettings
    from treadpace.session import SessionSetup
    from treadpace.treadmill.true_speed import routine

    incline = INCLINE_PERCENT if prof.max_incline_percent >= INCLINE_PERCENT else 0.0
    # The belt is measured as it is: no calibration and no trim while calibrating.
    raw = prof.model_copy(update={"true_pace": TruePaceSettings(use_calibration=False,
                                                                footpod_trim=False)})
    clock: Clock = VirtualClock() if virtual else ScaledClock(time_scale)
    pod = prof.footpod.target if prof.footpod is not None else None
    parts: dict[str, Any] = treadmill_parts(sim_model, device, clock, None, unattended=False,
                                             footpod=pod)
    if parts.get("footpod") is None:
        raise UserError(
            "calibrate: expected a footpod (pin yours in the profile: footpod: {address: ...},"
            " or simulate one: --model slow-truth)"
        )
    samples: list[Sample] = []
    setup = SessionSetup(
        compiled=routine(speeds, incline),
        profile=raw,
        clock=clock,
        yes=yes,
        record=False,
        console_runner=lambda sub: _collect(sub, samples),
        **parts,
    )

    outcome = play(setup)
    code = exit_code(outcome)
    if code != 0:
        raise typer.Exit(code)
    return samples, machine_identity(sim_model, device)


async def _collect(sub: Subscription, samples: list[Sample]) -> None:
    from treadpace.engine.events import RunState, Tick
    from treadpace.treadmill.true_speed import Sample

    async for event in sub:
        if isinstance(event, Tick) and event.state == RunState.RUNNING:
            samples.append(
                Sample(event.t, event.speed_kmh, event.footpod_kmh, event.incline_percent or 0.0)
            )


def _fit(samples: list[Sample]) -> Calibration:
    from treadpace.treadmill.true_speed import fit, settled_windows

    try:
        return fit(settled_windows(samples, 0.1))
    except ValueError:
        raise UserError(
            "calibrate: the belt never held a speed with the footpod reading for 40 s "
            "(is the footpod on your shoe and awake?)"
        ) from None


def _show(cal: Calibration, imperial: bool) -> None:
    from treadpace.base import display

    print("belt speed        true speed   error")
    for v, r in cal.points:
        print(f"{display.speed(v, imperial):>12}  {display.speed(v * r, imperial):>12}  "
              f"{(r - 1) * 100:+5.1f} %")
    if cal.per_incline:
        print(f"incline: {cal.per_incline * 100:+.2f} % per % of grade")
    print(f"largest residual of a 30 s window: {cal.max_residual_percent:.2f} %")


def _check(fitted: Calibration, saved: Any, imperial: bool) -> None:
    from treadpace.base import display
    from treadpace.engine.config import calibration_from_record
    from treadpace.treadmill.true_speed import drift_percent

    if saved is None:
        print("no calibration saved for this treadmill yet: run `treadpace calibrate` to save one")
        return
    old = calibration_from_record(saved)
    drift = drift_percent(old, fitted)
    worst = max(abs(d) for _, d in drift)
    for v, d in drift:
        print(f"at {display.speed(v, imperial)}: {d:+.1f} % since {saved.date}")
    if worst > DRIFT_PERCENT:
        print(f"the belt has drifted ({worst:.1f} %): run `treadpace calibrate` again")
        raise typer.Exit(1)
    print(f"no drift beyond {DRIFT_PERCENT:g} %: the saved calibration holds")


def _save(path: Path, machine: str, cal: Calibration) -> None:
    from treadpace.plans.calibration_file import write_calibration
    from treadpace.plans.true_pace_settings import CalibrationRecord

    record = CalibrationRecord(
        date=dt.date.today(),
        points=[(round(v, 3), round(r, 5)) for v, r in cal.points],
        per_incline=round(cal.per_incline, 6),
        residuals_percent=list(cal.residuals_percent),
    )
    write_calibration(path, machine, record)
    print(f"saved in {path} for {machine}")
