"""Each safety rule's guard taken out of the engine core, and the state machine catching it.

`test_engine_rules.py` shows that no random run breaks a rule; these show that
its checks would see it if one did. Each test replaces one guard with the code a
careless change could leave behind (the cap dropped from the grid, a remote
start let through, a stop at the treadmill not pausing the run, a stray reading
taken for the runner's Start on the console, the final stop
skipped, a console press not taken as the runner's), runs the same state machine
on a fixed seed, and asserts that what it finds is a violation of exactly that
rule. A guard whose removal the machine did not notice would fail here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, run_state_machine_as_test

from tests.engine_checks import RuleViolation
from tests.engine_rules import PRELUDES, EngineRules
from tests.engine_world import World, worlds
from treadpace.engine import (
    belt_restart,
    commands,
    core,
    gate,
    policy,
    reactions,
    run_core,
    setpoint,
    transitions,
)
from treadpace.engine.core_state import EndPhase
from treadpace.engine.cursor import StepCursor
from treadpace.engine.events import Command, RunState
from treadpace.engine.gate import CommandSource
from treadpace.engine.messages import StopAnswered
from treadpace.engine.policy import ConsolePress
from treadpace.engine.transitions import Trigger
from treadpace.plans.steps import CompiledStep

SEARCH = settings(
    max_examples=1500,  # a search stops at its first find: most take a few hundred
    stateful_step_count=20,
    deadline=None,
    database=None,
    derandomize=True,  # the same search every time: a found guard stays found
    phases=[Phase.generate],  # which rule broke is the point, not the smallest example
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow],
)


def caught(
    *, controllable: bool | None = None, remote_start: bool | None = None, running: bool = False
) -> int:
    """The rule the state machine finds broken (pytest fails if it finds none).

    A guard that matters only in some worlds (a remote-start gate, with remote starts
    not allowed; a console press, on a machine treadpace commands) is searched for
    there: the same rules and checks, on the kind of run where the guard is at work.
    """
    preludes = (4,) if running else PRELUDES

    class Focused(EngineRules):
        @initialize(
            world=worlds(controllable=controllable, remote_start=remote_start),
            prelude=st.sampled_from(preludes),
        )
        def connect(self, world: World, prelude: int) -> None:
            super().connect(world, prelude)

    with pytest.raises(RuleViolation) as found:
        run_state_machine_as_test(Focused, settings=SEARCH)
    return found.value.rule


def test_rule_1_without_the_cap_in_the_grid(monkeypatch: pytest.MonkeyPatch) -> None:
    """The setpoint grid built on the machine's range alone, the profile's cap forgotten."""
    build = setpoint.Grid.build.__func__  # type: ignore[attr-defined]

    def uncapped(
        cls: type[setpoint.Grid],
        minimum: float,
        maximum: float,
        increment: float,
        cap: float,
        resolution: int,
        per_unit: float = 1.0,
    ) -> setpoint.Grid:
        grid: setpoint.Grid = build(
            cls, minimum, maximum, increment, math.inf, resolution, per_unit
        )
        return grid

    monkeypatch.setattr(setpoint.Grid, "build", classmethod(uncapped))
    assert caught() == 1


def test_rule_1_without_the_grid(monkeypatch: pytest.MonkeyPatch) -> None:
    """Setpoints clamped but not snapped: a value the machine would round or reject."""

    def clamped(self: setpoint.Grid, value: float) -> float:
        return round(min(max(value, self.minimum), self.maximum), 2)

    monkeypatch.setattr(setpoint.Grid, "quantise", clamped)
    assert caught() == 1


def _gate_forcing(**forced: bool) -> Callable[..., str | None]:
    """`gate.start_refusal` with some of the facts it reads forced: its guard taken out."""
    refusal = gate.start_refusal

    def forced_refusal(
        cmd: Command,
        state: RunState,
        source: CommandSource,
        *,
        remote_start_allowed: bool,
        stopped_at_treadmill: bool,
    ) -> str | None:
        facts = {
            "remote_start_allowed": remote_start_allowed,
            "stopped_at_treadmill": stopped_at_treadmill,
            **forced,
        }
        return refusal(cmd, state, source, **facts)

    return forced_refusal


def test_rule_2_with_remote_starts_always_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate no longer reads the profile's `allow_remote_start`."""
    monkeypatch.setattr(commands, "start_refusal", _gate_forcing(remote_start_allowed=True))
    assert caught(controllable=True, remote_start=False) == 2


def test_rule_3_when_a_stop_at_the_treadmill_does_not_pause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A console stop or the safety key no longer pauses the plan: its targets keep going."""
    monkeypatch.setattr(reactions, "_pause", lambda core, reason, trigger: None)
    assert caught(controllable=True, running=True) == 3


def test_rule_3_when_the_gate_forgets_the_stop_at_the_treadmill(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A remote resume let through after the runner stopped the belt standing at it."""
    monkeypatch.setattr(commands, "start_refusal", _gate_forcing(stopped_at_treadmill=False))
    assert caught(controllable=True, remote_start=True, running=True) == 3


def test_rule_3_when_any_moving_reading_is_taken_for_a_console_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The belt seen moving once, standing or not before, stray value or not, resumes."""
    monkeypatch.setattr(belt_restart.BeltRestartWatch, "feed", lambda self, t, kmh, top: kmh > 0.05)
    assert caught(controllable=True, running=True) == 3


def test_rule_4_without_the_final_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    """The run reported at once on the way out, the belt treadpace started left moving."""

    def report_at_once(run: run_core.RunCore) -> None:
        assert run.st.ending is not None
        run.st.ending = replace(run.st.ending, phase=EndPhase.STOPPING)
        run.set_counting(False)
        core._report(run)

    monkeypatch.setattr(core, "_begin_finish", report_at_once)
    assert caught() == 4


def test_rule_4_when_the_plan_completes_early(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cursor taking every step for the last: "plan complete" without the plan."""
    monkeypatch.setattr(StepCursor, "last", property(lambda self: True))
    assert caught() == 4


def test_rule_4_when_an_unconfirmed_stop_is_not_said(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unconfirmed stop reported like a confirmed one (no `belt_left_running`)."""

    def quiet(run: run_core.RunCore, _: StopAnswered) -> None:
        core._report(run)

    monkeypatch.setitem(core._HANDLERS, StopAnswered, quiet)  # the core's table by type
    assert caught() == 4


def test_rule_5_when_a_console_press_is_fought(monkeypatch: pytest.MonkeyPatch) -> None:
    """The press is taken for what the machine is set to, not as the runner's speed."""

    def fight(
        self: policy.SetpointPolicy, speed: float, step: CompiledStep, fraction: float, now: float
    ) -> ConsolePress:
        self.sent_speed = speed
        self.recent_sent = [*self.recent_sent[-2:], speed]
        return ConsolePress.OFFSET

    monkeypatch.setattr(policy.SetpointPolicy, "console_speed", fight)
    assert caught(controllable=True, running=True) == 5


def test_the_transition_table_when_a_change_bypasses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A runner's pause that sends the run back to READY: not a row of TRANSITIONS."""
    next_state = transitions.next_state

    def skewed(state: RunState, trigger: Trigger) -> RunState | None:
        if trigger == Trigger.RUNNER_PAUSE:
            return RunState.READY
        return next_state(state, trigger)

    monkeypatch.setattr(run_core, "next_state", skewed)
    assert caught() == 0
