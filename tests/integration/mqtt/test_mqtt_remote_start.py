"""Through a real mosquitto and the run's own wiring: MQTT never starts a belt it may not.

The run is wired by `RunSession`, as `treadpace run` wires it, so these fail if the
MQTT front end ever went round the engine's gate. A run started from the terminal
(`allow_remote_start: false`) is stopped on the console, and `command/resume`
arrives over MQTT: the simulator's own log must show no second start, the belt
must stay at 0, and the refusal must be published as a notice. The runner at the
treadmill then resumes, as the README says. A run left waiting for a remote start
that the profile does not allow never moves on an MQTT start.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.mqtt_broker import MOSQUITTO, NO_MOSQUITTO, Broker, Listener
from tests.session_run import live_run, runner
from treadpace.engine import Command, RunState
from treadpace.engine.gate import NOT_ALLOWED, STOPPED_AT_TREADMILL

pytestmark = pytest.mark.skipif(MOSQUITTO is None, reason=NO_MOSQUITTO)


def notices(lst: Listener) -> list[str]:
    out = []
    for m in lst.on("treadpace/event"):
        e = json.loads(m.payload)
        if e.get("event") == "notice":
            out.append(str(e.get("message")))
    return out


@pytest.mark.parametrize(("allowed", "how"), [(False, "console"), (True, "safety key")])
async def test_mqtt_resume_never_restarts_a_belt_stopped_at_the_treadmill(
    broker: Broker, listener: Listener, allowed: bool, how: str
) -> None:
    async with live_run(runner(allowed=allowed, broker=broker), speed_kmh=9.3) as run:
        sim = run.sim
        await run.until(lambda: sim.belt.speed_kmh >= 9.0)  # started from the terminal
        if how == "console":
            sim.press_stop()
        else:
            sim.pull_safety_key()
        await run.until(lambda: run.state() == RunState.PAUSED and sim.belt.speed_kmh == 0.0)
        if how == "safety key":
            sim.insert_safety_key()
        await listener.bridge_online()
        await listener.publish("treadpace/command/resume", "PRESS")
        refusal = STOPPED_AT_TREADMILL if allowed else NOT_ALLOWED
        await listener.wait_for(lambda s: refusal in notices(s), timeout=15)
        await run.clock.sleep(30.0)
        assert sim.belt.speed_kmh == 0.0 and run.state() == RunState.PAUSED
        assert run.starts() == 1

        await run.engine.command(Command.RESUME)  # the runner at the treadmill
        await run.until(lambda: sim.belt.speed_kmh >= 9.0)
        assert run.starts() == 2 and run.state() == RunState.RUNNING
        await run.engine.command(Command.STOP)
        outcome = await asyncio.wait_for(run.outcome, 10)
        assert outcome.result is not None and outcome.result.state == RunState.ABORTED


async def test_a_run_waiting_for_a_remote_start_the_profile_does_not_allow_never_moves(
    broker: Broker, listener: Listener
) -> None:
    profile = runner(allowed=False, broker=broker)
    async with live_run(profile, speed_kmh=9.3, remote_start=True) as run:
        await run.until(lambda: run.state() == RunState.READY)
        await listener.bridge_online()  # a press before the bridge listens is lost
        await listener.publish("treadpace/command/start", "PRESS")
        await listener.wait_for(lambda s: NOT_ALLOWED in notices(s), timeout=15)
        await run.clock.sleep(30.0)
        assert run.state() == RunState.READY and run.sim.belt.speed_kmh == 0.0
        assert run.starts() == 0
        await run.engine.command(Command.STOP)
        await asyncio.wait_for(run.outcome, 10)
    assert run.sim.server.belt.distance_m == 0.0
