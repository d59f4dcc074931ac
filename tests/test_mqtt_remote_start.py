"""Through a real mosquitto: an MQTT resume never restarts a belt stopped at the treadmill.

The run starts from the terminal (`allow_remote_start: false`), the runner stops the
belt on the console, and `command/resume` arrives over MQTT: the simulator's own
log must show no second start, the belt must stay at 0, and the refusal must be
published as a notice. The runner at the treadmill then resumes, as the README says.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from mqtt_broker import MOSQUITTO, NO_MOSQUITTO, Broker, Listener, mqtt_settings
from treadpace.clock import ScaledClock
from treadpace.engine import Command, Engine, EngineConfig, EventHub, RunState
from treadpace.engine.gate import NOT_ALLOWED, STOPPED_AT_TREADMILL
from treadpace.mqtt import MqttBridge
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.sim import SimLink
from treadpace_sim.treadmill import SimulatedTreadmill

pytestmark = pytest.mark.skipif(MOSQUITTO is None, reason=NO_MOSQUITTO)


def state(engine: Engine) -> RunState:
    """The engine's state, read afresh (it changes under the test's feet)."""
    return engine.state


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
    clock = ScaledClock(20.0)
    log: list[dict[str, object]] = []
    sim = SimulatedTreadmill("generic", clock, observers=[lambda t, r: log.append(r)])
    hub = EventHub()
    treadmill = FtmsTreadmill(SimLink(sim), clock, response_timeout=40.0)
    plan = CompiledPlan("mqtt", "custom", (CompiledStep("steady", "time", 3600.0, 9.3),))
    config = EngineConfig(countdown_s=0, allow_remote_start=allowed)
    engine = Engine(treadmill, plan, config, clock, hub)
    settings = mqtt_settings(host=broker.host, port=broker.port, allow_remote_start=allowed)
    bridge = MqttBridge(settings, commands=engine.remote_command, reconnect_min_s=0.05)
    bridge_task = asyncio.create_task(bridge.run(hub.subscribe(maxsize=200)))
    await sim.start()
    engine_task = asyncio.create_task(engine.run())

    def starts() -> int:
        return sum(
            1
            for r in log
            if r.get("event") == "command"
            and r.get("op") == "start_or_resume"
            and r.get("result") == "success"
        )

    async def until(cond: object, seconds: float = 300) -> None:
        for _ in range(int(seconds)):
            if callable(cond) and cond():
                return
            await clock.sleep(1.0)
        raise AssertionError("condition not reached")

    try:
        await engine.command(Command.START)  # from the terminal
        await until(lambda: sim.belt.speed_kmh >= 9.0)
        if how == "console":
            sim.press_stop()
        else:
            sim.pull_safety_key()
        await until(lambda: state(engine) == RunState.PAUSED and sim.belt.speed_kmh == 0.0)
        if how == "safety key":
            sim.insert_safety_key()
        await listener.publish("treadpace/command/resume", "PRESS")
        refusal = STOPPED_AT_TREADMILL if allowed else NOT_ALLOWED
        await listener.wait_for(lambda s: refusal in notices(s), timeout=15)
        await clock.sleep(30.0)
        assert sim.belt.speed_kmh == 0.0 and state(engine) == RunState.PAUSED
        assert starts() == 1

        await engine.command(Command.RESUME)  # the runner at the treadmill
        await until(lambda: sim.belt.speed_kmh >= 9.0)
        assert starts() == 2 and state(engine) == RunState.RUNNING
        await engine.command(Command.STOP)
        result = await asyncio.wait_for(engine_task, 10)
        assert result.state == RunState.ABORTED
        await asyncio.wait_for(bridge_task, 5)
    finally:
        for task in (engine_task, bridge_task):
            if not task.done():
                task.cancel()
        await asyncio.gather(engine_task, bridge_task, return_exceptions=True)
        await treadmill.disconnect()
        await sim.close()
