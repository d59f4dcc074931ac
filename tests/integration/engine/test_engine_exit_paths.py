"""The two ways out that had no test: a reader that raises, and a stop interrupted on its way.

Safety rule 4: on every exit path the belt treadpace started is stopped and the run is
recorded; a stop nobody can confirm is said loudly. A bug under the reader (here, an
update stream that raises) must end the run that way, never leave the belt running
with the program gone quiet. And a runner who presses Ctrl+C again while the belt winds
down gets out at once, told that the stop was not confirmed (exit 3), with the journal
finished.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path

from tests.fake_treadmill import FakeTreadmill
from tests.run_proc import belt_faster_than, journal_lines, start_run, wait_for_belt, wait_for_log
from tests.sim_engine import plan
from treadpace.base.clock import VirtualClock
from treadpace.engine import Command, Engine, EngineConfig, EventHub, RunState
from treadpace.engine.events import RunFinished
from treadpace.plans.steps import CompiledStep
from treadpace.treadmill.port import TreadmillUpdate


class BrokenReader(FakeTreadmill):
    """Telemetry as usual until `fail_at`, then the update stream raises."""

    fail_at = 60.0

    async def updates(self) -> AsyncIterator[TreadmillUpdate]:
        async for update in super().updates():
            if self.clock.now() >= self.fail_at:
                raise RuntimeError("a bug in the reader")
            yield update


async def test_a_reader_that_raises_stops_the_belt_and_records_the_end() -> None:
    clock = VirtualClock()
    hub = EventHub()
    sub = hub.subscribe()
    tm = BrokenReader(clock)
    p = plan(CompiledStep("a", "time", 600, 9.0))
    engine = Engine(tm, p, EngineConfig(countdown_s=0), clock, hub)

    async def go() -> BaseException | None:
        task = asyncio.create_task(engine.run())
        await engine.command(Command.START)
        try:
            await task
        except RuntimeError as exc:
            return exc
        return None

    raised = await clock.drive(go())
    events = [e async for e in sub]
    assert isinstance(raised, RuntimeError)  # the bug is not swallowed ...
    stops = [c for c in tm.commands if c.op == "stop"]
    assert stops and stops[0].t >= BrokenReader.fail_at  # ... but the belt was told to stop
    assert not tm.running
    (finished,) = [e for e in events if isinstance(e, RunFinished)]
    assert finished.state == RunState.ABORTED  # and the recording has its end
    # With the reader gone nothing can confirm the stop: it is said, never assumed.
    assert engine.belt_left_running


def test_a_second_ctrl_c_during_the_stop_leaves_at_once_with_exit_3(tmp_path: Path) -> None:
    proc, log = start_run(tmp_path, scale="4")
    try:
        wait_for_belt(proc, log)
        # fast enough that its wind-down takes seconds
        wait_for_log(log, belt_faster_than(8.0), "the belt never passed 8 km/h", proc=proc)
        proc.send_signal(signal.SIGINT)
        wait_for_log(  # the Stop is out and the belt winds down
            log,
            lambda records: any(x.get("op") == "stop_or_pause" for x in records),
            "no stop was sent after SIGINT",
            timeout=20,
        )
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 3, out + err
    assert "THE BELT MAY STILL BE RUNNING" in err
    assert journal_lines(tmp_path)[-1]["type"] == "run_finished"
