"""MQTT commands drive a real run: engine + FTMS bytes + the simulated belt, via mosquitto.

Broker I/O needs real time, so the run uses a ScaledClock (20x) instead of the
virtual clock; FTMS answers get a generous timeout on that clock.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from mqtt_broker import MOSQUITTO, NO_MOSQUITTO, Broker, Listener, mqtt_settings
from treadpace.clock import ScaledClock
from treadpace.engine import Engine, EngineConfig, EventHub, RunState
from treadpace.mqtt import MqttBridge
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.sim import SimLink
from treadpace_sim.belt import BeltState
from treadpace_sim.treadmill import SimulatedTreadmill

pytestmark = pytest.mark.skipif(MOSQUITTO is None, reason=NO_MOSQUITTO)


def state_of(engine: Engine) -> RunState:
    """The engine's state read afresh (an assert before a sleep does not hold after it)."""
    return engine.state


def state(lst: Listener) -> str | None:
    seen = lst.on("treadpace/state")
    return seen[-1].payload.decode() if seen else None


def speeds(lst: Listener) -> list[float]:
    return [float(json.loads(m.payload)["speed_kmh"]) for m in lst.on("treadpace/telemetry")]


async def belt_settles(sim: SimulatedTreadmill, clock: ScaledClock, wanted: BeltState) -> None:
    for _ in range(600):  # up to 600 s of (scaled) run time
        if sim.belt.state == wanted and sim.belt.speed_kmh == 0.0:
            return
        await clock.sleep(1.0)
    raise AssertionError(f"belt still {sim.belt.state} at {sim.belt.speed_kmh} km/h")


async def test_mqtt_start_pause_and_stop_drive_the_simulated_belt(
    broker: Broker, listener: Listener
) -> None:
    clock = ScaledClock(20.0)
    sim = SimulatedTreadmill("generic", clock)
    hub = EventHub()
    treadmill = FtmsTreadmill(SimLink(sim), clock, response_timeout=40.0)
    plan = CompiledPlan("mqtt", "custom", (CompiledStep("steady", "time", 3600.0, 10.0),))
    config = EngineConfig(countdown_s=0, allow_remote_start=True)
    engine = Engine(treadmill, plan, config, clock, hub)
    settings = mqtt_settings(host=broker.host, port=broker.port, allow_remote_start=True)
    bridge = MqttBridge(settings, commands=engine.remote_command, reconnect_min_s=0.05)
    bridge_task = asyncio.create_task(bridge.run(hub.subscribe(maxsize=200)))
    await sim.start()
    engine_task = asyncio.create_task(engine.run())
    try:
        await listener.wait_for(lambda s: state(s) == "ready", timeout=10)
        assert sim.belt.speed_kmh == 0.0  # nothing moves before an explicit start

        await listener.publish("treadpace/command/start", "PRESS")
        await listener.wait_for(lambda s: any(v >= 2.0 for v in speeds(s)), timeout=15)
        assert engine.state == RunState.RUNNING
        assert sim.belt.state in (BeltState.STARTING, BeltState.RUNNING)

        await listener.publish("treadpace/command/pause", "PRESS")
        await listener.wait_for(lambda s: state(s) == "paused", timeout=10)
        await belt_settles(sim, clock, BeltState.PAUSED)
        await clock.sleep(10.0)
        assert sim.belt.speed_kmh == 0.0  # and it stays stopped: no restart on its own
        assert state_of(engine) == RunState.PAUSED

        await listener.publish("treadpace/command/stop", "PRESS")
        result = await asyncio.wait_for(engine_task, 10)
        assert result.state == RunState.ABORTED
        await asyncio.wait_for(bridge_task, 5)
        await listener.wait_for(lambda s: s.on("treadpace/availability")[-1].payload == b"offline")
        assert state(listener) == "aborted"
        events = [json.loads(m.payload)["event"] for m in listener.on("treadpace/event")]
        assert events[0] == "run_started" and events[-1] == "run_finished"
        assert "step_started" in events
    finally:
        for task in (engine_task, bridge_task):
            if not task.done():
                task.cancel()
        await asyncio.gather(engine_task, bridge_task, return_exceptions=True)
        await treadmill.disconnect()
        await sim.close()
