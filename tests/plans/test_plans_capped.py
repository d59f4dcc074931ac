"""Every shipped plan runs for every runner `init --yes` makes; what runs capped is said first.

A 17:00 5K runner once got max_speed 16 km/h and five of the shipped plans
refused ("not valid"); a 4 mph walking pad ran a running plan capped from start
to end without a word. Now a step above the runner's cap compiles capped with a
note, the engine says before the countdown which steps this treadmill can only
run capped, and the engine's policy still caps every command (safety rule 1).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.sim_engine import drive_to_end
from treadpace.base.clock import VirtualClock
from treadpace.base.notice_level import NoticeLevel
from treadpace.base.units import KMH_PER_MPH
from treadpace.cli import app
from treadpace.engine import EngineConfig, EventHub, RunState
from treadpace.engine.engine import Engine
from treadpace.engine.events import Notice, StateChanged, Tick
from treadpace.library import load_and_compile, shipped_plans
from treadpace.plans import load_profile
from treadpace.plans.profile import Profile
from treadpace.plans.steps import CompiledPlan
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.sim import SimLink
from treadpace_sim.treadmill import SimulatedTreadmill

runner = CliRunner()
SHIPPED = [p.name for p in shipped_plans()]


def init_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Path:
    """The profile `treadpace init --yes ARGS` writes, in a home of its own."""
    home = tmp_path / "-".join(args).replace(":", "").replace("=", "")
    monkeypatch.setenv("TREADPACE_CONFIG_HOME", str(home))
    result = runner.invoke(app, ["init", "--yes", *args])
    assert result.exit_code == 0, result.output
    return home / "profile.yaml"


def five_k_times() -> list[str]:
    return [f"{minutes}:00" for minutes in range(14, 46)]


@pytest.mark.parametrize("units", ["metric", "imperial"])
def test_every_shipped_plan_compiles_for_every_init_profile_from_14_to_45_minutes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, units: str
) -> None:
    assert len(SHIPPED) >= 8
    for time in five_k_times():
        path = init_profile(tmp_path, monkeypatch, "--race", f"5k={time}", "--units", units)
        profile = load_profile(path)
        for name in SHIPPED:
            compiled, _ = load_and_compile(name, path)  # a UserError fails the test
            assert compiled.steps, (time, name)
            top = max(max(s.speed_kmh, s.end_speed_kmh or 0.0) for s in compiled.steps)
            assert top <= profile.max_speed_kmh + 1e-9, (time, name)


def test_plan_list_marks_nothing_invalid_for_a_fast_runner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init_profile(tmp_path, monkeypatch, "--race", "5k=14:30")
    result = runner.invoke(app, ["plan", "list"])
    assert result.exit_code == 0, result.output
    assert "not valid" not in result.output


def test_a_step_above_the_cap_is_shown_capped_by_plan_show_and_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init_profile(tmp_path, monkeypatch, "--race", "5k=17:00", "--max-speed", "16")
    shown = runner.invoke(app, ["plan", "show", "thirds"])
    assert shown.exit_code == 0, shown.output
    assert "(capped)" in shown.output
    note = "note: third 3: capped at 16.0 km/h (max_speed) where the plan asks 16.4 km/h"
    assert note in " ".join(shown.output.split())
    checked = runner.invoke(app, ["plan", "validate", "thirds"])
    capped = "(1 capped at max_speed: see plan show)"
    assert checked.output == f"ok: thirds: thirds, 3 steps, 30:00 {capped}\n"
    monkeypatch.setenv("TREADPACE_VIRTUAL_CLOCK", "1")
    ran = runner.invoke(app, ["run", "thirds", "--no-record", "--simulate"])
    assert ran.exit_code == 0, ran.output
    assert note in ran.output
    assert ran.output.index(note) < ran.output.index("starting in 3")


async def run_on(model: str, compiled: CompiledPlan, profile: Profile) -> list[object]:
    """The events of the whole run on the simulated `model`, on the virtual clock."""
    clock = VirtualClock()
    sim = SimulatedTreadmill(model, clock)
    hub = EventHub()
    sub = hub.subscribe()
    treadmill = FtmsTreadmill(SimLink(sim), clock)
    engine = Engine(treadmill, compiled, EngineConfig.from_profile(profile), clock, hub)
    result = await drive_to_end(engine, sim, treadmill, clock)
    assert result.state == RunState.FINISHED, result
    return [e async for e in sub]


def warnings_before_countdown(events: list[object]) -> list[str]:
    out: list[str] = []
    for e in events:
        if isinstance(e, StateChanged) and e.state == RunState.COUNTDOWN:
            return out
        if isinstance(e, Notice) and e.level == NoticeLevel.WARNING:
            out.append(e.message)
    raise AssertionError("no countdown")


async def test_a_walking_pad_warns_before_the_countdown_and_still_caps_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = init_profile(tmp_path, monkeypatch, "--race", "5k=25:00", "--units", "imperial")
    compiled, profile = load_and_compile("steady", path)
    events = await run_on("mph-grid", compiled, profile)  # a 4 mph walking pad
    said = warnings_before_countdown(events)
    assert len(said) == 1
    assert said[0].startswith("capped at 4.0 mph (this treadmill's top speed): 1 of 1 steps")
    speeds = [e.target_speed_kmh for e in events if isinstance(e, Tick)]
    # the wire's 0.01 km/h: 4 mph is sent as 6.44
    assert speeds and max(speeds) <= round(4.0 * KMH_PER_MPH, 2) + 1e-9


@pytest.mark.parametrize(
    ("race", "units", "plans"),
    [
        ("5k=14:00", "metric", ("cruise-intervals", "each-mile-faster")),
        ("5k=45:00", "imperial", ("beginner-30", "thirds")),
    ],
)
async def test_representative_runners_run_shipped_plans_on_the_simulator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, race: str, units: str, plans: tuple[str, ...]
) -> None:
    path = init_profile(tmp_path, monkeypatch, "--race", race, "--units", units)
    warned = []
    for name in plans:
        compiled, profile = load_and_compile(name, path)
        events = await run_on("generic", compiled, profile)  # a 20 km/h treadmill
        said = [w for w in warnings_before_countdown(events) if w.startswith("capped at")]
        fast = max(max(s.speed_kmh, s.end_speed_kmh or 0.0) for s in compiled.steps) > 20.05
        assert bool(said) == fast, (name, said)
        warned += said
    # the fast runner's last miles are above this treadmill's 20 km/h; the slow one's never
    assert bool(warned) == (race == "5k=14:00")
    assert all(w.startswith("capped at 20.0 km/h (this treadmill's top speed)") for w in warned)
