"""MQTT commands drive a real run: the run's own wiring, FTMS bytes, the simulated belt, mosquitto.

The run is wired by `RunSession`, as `treadpace run --remote-start` wires it, and
waits for its start over MQTT. Broker I/O needs real time, so the run uses a
ScaledClock (20x) instead of the virtual clock (see `session_run`).
"""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.mqtt_broker import MOSQUITTO, NO_MOSQUITTO, Broker, Listener
from tests.session_run import LiveRun, live_run, runner
from treadpace.engine import RunState
from treadpace_sim.belt import BeltState

pytestmark = pytest.mark.skipif(MOSQUITTO is None, reason=NO_MOSQUITTO)


def state(lst: Listener) -> str | None:
    seen = lst.on("treadpace/state")
    return seen[-1].payload.decode() if seen else None


def speeds(lst: Listener) -> list[float]:
    return [float(json.loads(m.payload)["speed_kmh"]) for m in lst.on("treadpace/telemetry")]


async def belt_settles(run: LiveRun, wanted: BeltState) -> None:
    belt = run.sim.belt
    await run.until(lambda: belt.state == wanted and belt.speed_kmh == 0.0, seconds=600)


async def test_mqtt_start_pause_and_stop_drive_the_simulated_belt(
    broker: Broker, listener: Listener
) -> None:
    profile = runner(allowed=True, broker=broker)
    async with live_run(profile, speed_kmh=10.0, remote_start=True) as run:
        sim = run.sim
        await listener.wait_for(lambda s: state(s) == "ready", timeout=10)
        assert sim.belt.speed_kmh == 0.0  # nothing moves before an explicit start

        await listener.publish("treadpace/command/start", "PRESS")
        await listener.wait_for(lambda s: any(v >= 2.0 for v in speeds(s)), timeout=15)
        assert run.state() == RunState.RUNNING
        assert sim.belt.state in (BeltState.STARTING, BeltState.RUNNING)

        await listener.publish("treadpace/command/pause", "PRESS")
        await listener.wait_for(lambda s: state(s) == "paused", timeout=10)
        await belt_settles(run, BeltState.PAUSED)
        await run.clock.sleep(10.0)
        assert sim.belt.speed_kmh == 0.0  # and it stays stopped: no restart on its own
        assert run.state() == RunState.PAUSED

        await listener.publish("treadpace/command/stop", "PRESS")
        outcome = await asyncio.wait_for(run.outcome, 10)
        assert outcome.result is not None and outcome.result.state == RunState.ABORTED
        await listener.wait_for(lambda s: s.on("treadpace/availability")[-1].payload == b"offline")
        assert state(listener) == "aborted"
        events = [json.loads(m.payload)["event"] for m in listener.on("treadpace/event")]
        assert events[0] == "run_started" and events[-1] == "run_finished"
        assert "step_started" in events
