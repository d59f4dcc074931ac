"""The simulated treadmill's console: live-view keys, and a runner at it for unattended runs.

Every shipped model must finish a shipped plan with `run --simulate --yes` and no
terminal; on the read-only and locked machines that means someone at the console
presses Start and follows the guided targets (`treadpace_sim.console_runner.ConsoleRunner`).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.run_proc import quiet_profile
from tests.sim_engine import plan, run_sim
from tests.where import ROOT
from treadpace.base.clock import VirtualClock
from treadpace.cli import app
from treadpace.engine import Engine, RunState
from treadpace.engine.events import Command, Notice, NoticeKind, Tick
from treadpace.plans.steps import CompiledStep
from treadpace.record.journal import read_journal
from treadpace.ui.keys import RESERVED, KeyController
from treadpace_sim.console import KEYS, Button, Console
from treadpace_sim.console_runner import ConsoleRunner
from treadpace_sim.model import load_model, models_dir
from treadpace_sim.treadmill import SimulatedTreadmill

SHIPPED = sorted(p.stem for p in models_dir().glob("*.yaml"))
THIRDS = ROOT / "configs" / "plans" / "thirds.yaml"
MINUTES = 6
"""The shipped thirds plan at 6 minutes, not 30: the same three steps at the same paces, so
the same starts, step changes and finish; each step two minutes, longer than any belt or
runner at the console takes to reach a target, and the run longer than every fault a
shipped model schedules (checked per model)."""


def short_thirds(tmp_path: Path) -> Path:
    text = THIRDS.read_text()
    assert 'duration: "30:00"' in text, "the shipped thirds plan changed: update MINUTES"
    p = tmp_path / "thirds.yaml"
    p.write_text(text.replace('duration: "30:00"', f'duration: "{MINUTES}:00"'))
    return p


@pytest.mark.parametrize("model", SHIPPED)
def test_every_shipped_model_finishes_the_thirds_plan_unattended(
    model: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seconds = MINUTES * 60
    # Every fault the model schedules happens with a minute of the run still to go.
    assert all(f.at + (f.duration or 0) < seconds - 60 for f in load_model(model).faults)
    monkeypatch.setenv("TREADPACE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TREADPACE_CONFIG_HOME", str(tmp_path / "cfg"))
    plan_file = str(short_thirds(tmp_path))
    args = ["run", plan_file, "--simulate", "--model", model, "--yes", "--virtual-clock"]
    result = CliRunner().invoke(app, [*args, "--profile", str(quiet_profile(tmp_path))])
    assert result.exit_code == 0, result.output
    (journal,) = (tmp_path / "runs").glob("*.jsonl")
    run = read_journal(journal)
    finished = run.finished
    assert finished is not None and finished.state == RunState.FINISHED
    assert finished.elapsed_s == pytest.approx(seconds, abs=2)
    assert [s.pace_label for s in run.header.steps] == ["easy", "marathon", "threshold"]
    # Each step ends with the belt at the target the screen showed, whoever set it (the
    # engine, or the runner at the console in guided mode): within one console step.
    # (Looked at before the next change is asked for early, for the belt's lag.)
    for index in range(3):
        ticks = [t for t in run.ticks if t.step_index == index]
        last = [t for t in ticks if t.step_remaining > t.lead_s + 1.0][-1]
        assert abs(last.speed_kmh - last.target_speed_kmh) < 0.2, (index, last)
    # Started and never followed, a belt stays at the machine minimum (~0.4 km in 30 min,
    # 80 m in 6); followed, it averages over 6 km/h (the slowest shipped top speed).
    assert finished.distance_m > 3.0 / 3.6 * seconds


def test_run_read_only_with_yes_exits_by_itself(tmp_path: Path) -> None:
    plan_file = tmp_path / "short.yaml"
    plan_file.write_text('name: Short\nkind: steady\nduration: "2:00"\npace: easy\n')
    # On the virtual clock: how far the belt went must not depend on how busy the machine is.
    env = {
        "TREADPACE_HOME": str(tmp_path / "home"),
        "TREADPACE_CONFIG_HOME": str(tmp_path),
        "TREADPACE_VIRTUAL_CLOCK": "1",
    }
    args = [str(plan_file), "--simulate", "--model", "read-only", "--yes"]
    args += ["--profile", str(quiet_profile(tmp_path))]
    r = subprocess.run(
        [sys.executable, "-m", "treadpace", "run", *args],
        capture_output=True,
        text=True,
        timeout=60,  # before the console runner, this waited for a start for ever
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        env={**_clean_env(), **env},
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "finished" in r.stdout
    (journal,) = (tmp_path / "runs").glob("*.jsonl")
    finished = read_journal(journal).finished
    assert finished is not None and finished.distance_m > 200  # 2 min at an easy pace


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("TREADPACE_")}


async def _on(model: str, body: object) -> None:
    clock = VirtualClock()
    sim = SimulatedTreadmill(model, clock)

    async def go() -> None:
        await sim.start()
        await body(sim, clock)  # type: ignore[operator]
        await sim.close()

    await clock.drive(go())


async def test_the_runner_starts_the_belt_and_steps_to_the_target_on_the_console_grid() -> None:
    async def body(sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        runner = ConsoleRunner(sim, clock)
        task = asyncio.create_task(runner.run())
        await clock.sleep(5)
        assert runner.presses == [] and not sim.belt.moving  # nobody asked
        runner.asked_to_start()
        runner.show_target(4.0)
        await clock.sleep(30)
        assert abs(sim.belt.target_speed_kmh - 4.0) < 0.05  # 0.1 mph grid: 2.5 mph
        pressed = [b for _, b in runner.presses]
        assert pressed[0] is Button.START and pressed.count(Button.START) == 1
        assert set(pressed[1:]) == {Button.SPEED_UP}
        count = len(runner.presses)
        await clock.sleep(10)
        assert len(runner.presses) == count  # there: no more presses
        runner.show_target(30.0)  # beyond the machine: it stops pressing at the top
        await clock.sleep(60)
        top = len(runner.presses)
        await clock.sleep(10)
        assert len(runner.presses) == top
        runner.run_over(stop_the_belt=True)
        await task
        assert runner.presses[-1][1] is Button.STOP
        await clock.sleep(30)
        assert sim.belt.speed_kmh == 0.0

    await _on("mph-grid", body)


async def test_the_runner_leaves_a_belt_it_was_not_asked_about() -> None:
    async def body(sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        sim.press_start()
        runner = ConsoleRunner(sim, clock)
        task = asyncio.create_task(runner.run())
        await clock.sleep(10)
        runner.run_over(stop_the_belt=False)
        await task
        assert runner.presses == [] and sim.belt.moving

    await _on("generic", body)


async def test_a_guided_console_press_follows_the_target_instead_of_moving_it() -> None:
    p = plan(CompiledStep("a", "time", 120, 9.0))

    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(5)
        sim.press_start()
        await clock.sleep(5)
        for _ in range(40):
            sim.press_speed(0.1)  # the runner sets about what the screen asks

    o = await run_sim(p, model="locked", script=script)
    assert o.result.state == RunState.FINISHED
    targets = {round(e.target_speed_kmh, 2) for e in o.events if isinstance(e, Tick)}
    assert targets == {9.0}
    kinds = [e.kind for e in o.events if isinstance(e, Notice)]
    assert NoticeKind.CONSOLE_CHANGE not in kinds


def test_console_keys_press_the_machine_buttons_and_keep_clear_of_treadpace_keys() -> None:
    assert not RESERVED.intersection(KEYS)
    pressed: list[Button] = []

    class Recording(Console):
        def press(self, button: Button) -> None:
            pressed.append(button)

    console = Recording(SimulatedTreadmill("generic", VirtualClock()))
    sent: list[Command] = []

    async def send(cmd: Command, _value: float | None) -> None:
        sent.append(cmd)

    keys = KeyController(send, lambda: RunState.RUNNING, console.bindings())
    for key in "sx][}{":
        keys.press(key)
    assert pressed == [KEYS[k] for k in "sx][}{"]
    assert sent == []  # the machine's buttons, not treadpace's commands
    assert "{ } incline" in console.help()
    no_incline = Console(SimulatedTreadmill("mph-grid", VirtualClock()))
    assert "{" not in no_incline.bindings() and "incline" not in no_incline.help()
    with pytest.raises(ValueError, match="keys already taken: n"):
        KeyController(send, lambda: RunState.RUNNING, {"n": lambda: None})
