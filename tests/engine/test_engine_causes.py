"""Why a run ended and why it is paused, as enums: never read back from the words shown.

The exit code once compared `reason == "stopped by the runner"` and the engine asked
`state reason == "link lost"` to decide whether a reconnect resumes the run; a
reworded message would have changed behaviour. Each ending and each pause now has a
cause, and the journal keeps the ending's.
"""

from __future__ import annotations

import dataclasses
import json

from tests.fake_engine import run
from tests.fake_treadmill import FakeTreadmill
from tests.sim_engine import plan
from treadpace.base.clock import VirtualClock
from treadpace.commands.run import exit_code
from treadpace.engine import Command, Engine, EngineConfig, RunState
from treadpace.engine.causes import EndCause, PauseCause
from treadpace.engine.events import RunFinished
from treadpace.plans.steps import CompiledStep
from treadpace.record.codec import decode_event, encode_event
from treadpace.session import RunOutcome

STEPS = plan(CompiledStep("a", "time", 120, 9.0))


async def test_a_plan_that_ran_to_its_end_says_plan_complete() -> None:
    result, _, _ = await run(STEPS)
    assert (result.state, result.end_cause) == (RunState.FINISHED, EndCause.PLAN_COMPLETE)


async def test_stop_from_the_runner_and_a_signal_are_told_apart() -> None:
    async def stop(engine: Engine, tm: FakeTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(30)
        await engine.command(Command.STOP)

    async def signal(engine: Engine, tm: FakeTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(30)
        engine.abort("interrupted (SIGTERM)")

    stopped, _, _ = await run(STEPS, script=stop)
    signalled, _, _ = await run(STEPS, script=signal)
    assert stopped.end_cause == EndCause.RUNNER_STOP
    assert signalled.end_cause == EndCause.INTERRUPTED


async def test_a_console_stop_in_the_countdown_ends_it_at_the_treadmill() -> None:
    async def press(engine: Engine, tm: FakeTreadmill, clock: VirtualClock) -> None:
        while engine.state != RunState.COUNTDOWN:
            await clock.sleep(0.1)
        tm.press_stop()

    result, tm, _ = await run(STEPS, config=EngineConfig(countdown_s=5), script=press)
    assert result.end_cause == EndCause.STOPPED_AT_TREADMILL
    assert not [c for c in tm.commands if c.op == "start"]


async def test_the_pause_cause_not_its_words_decides_a_link_pause() -> None:
    async def drop(engine: Engine, tm: FakeTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(30)
        tm.drop_link()
        await clock.sleep(1)
        seen.append(engine.core.pause_cause)  # the core's own view while the link is down
        tm.restore_link()
        await clock.sleep(10)
        seen.append(engine.state)

    seen: list[object] = []
    result, _, _ = await run(STEPS, script=drop)
    assert seen == [PauseCause.LINK_LOST, RunState.RUNNING]  # resumed by the reconnect
    assert result.end_cause == EndCause.PLAN_COMPLETE


def test_the_exit_code_reads_the_cause_not_the_reason() -> None:
    finished = RunFinished(0.0, 0.0, RunState.ABORTED, "any words at all", 0.0, 0.0, ())
    by_runner = dataclasses.replace(finished, end_cause=EndCause.RUNNER_STOP)
    base = RunOutcome(result=finished, belt_stop_confirmed=True, recording_complete=True)
    assert exit_code(base) == 1
    assert exit_code(dataclasses.replace(base, result=by_runner)) == 130


def test_the_journal_keeps_the_end_cause_and_reads_old_and_new_lines() -> None:
    ended = RunFinished(
        0.0, 0.0, RunState.ABORTED, "x", 0.0, 0.0, (), end_cause=EndCause.TREADMILL_LOST
    )
    line = encode_event(ended)
    again = decode_event(line)
    assert isinstance(again, RunFinished) and again.end_cause == EndCause.TREADMILL_LOST
    for value in (None, "from_a_newer_version"):
        record = json.loads(line)
        if value is None:
            del record["end_cause"]
        else:
            record["end_cause"] = value
        old = decode_event(json.dumps(record))
        assert isinstance(old, RunFinished) and old.end_cause is None
