"""The MQTT bridge against a real mosquitto: discovery, telemetry, events, commands, resilience."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from tests.mqtt_broker import (
    MOSQUITTO,
    NO_MOSQUITTO,
    Broker,
    Listener,
    Recorder,
    listening,
    mqtt_settings,
    online,
    payloads,
    settings_for,
    tick,
)
from treadpace.engine.events import (
    Command,
    RunFinished,
    RunStarted,
    RunState,
    StateChanged,
    StepStarted,
)
from treadpace.engine.gate import CommandSource
from treadpace.engine.hub import EventHub
from treadpace.mqtt import MqttBridge, remove_discovery
from treadpace.plans.profile import MqttSettings
from treadpace.plans.steps import CompiledStep

pytestmark = pytest.mark.skipif(MOSQUITTO is None, reason=NO_MOSQUITTO)

STEPS = (
    CompiledStep("warm-up", "time", 120.0, 9.0),
    CompiledStep("mile 1", "distance", 1609.344, 10.0),
)


def fast_bridge(
    settings: MqttSettings, commands: Recorder | None = None, **kw: object
) -> MqttBridge:
    options: dict[str, object] = dict(
        reconnect_min_s=0.05, reconnect_max_s=0.4, io_timeout_s=2.0, final_timeout_s=2.0
    )
    options.update(kw)
    return MqttBridge(
        settings,
        commands=commands or Recorder(),
        device_name="Garage treadmill",
        **options,  # type: ignore[arg-type]
    )


def telemetry(lst: Listener) -> list[dict[str, Any]]:
    return [json.loads(m.payload) for m in lst.on("treadpace/telemetry")]


def has_telemetry(n: int) -> Callable[[Listener], bool]:
    """A wait_for predicate: at least `n` telemetry messages have arrived."""
    return lambda lst: len(telemetry(lst)) >= n


def events(lst: Listener) -> list[dict[str, object]]:
    return [json.loads(m.payload) for m in lst.on("treadpace/event")]


async def test_a_run_on_the_broker_state_discovery_telemetry_events_and_goodbye(
    broker: Broker, listener: Listener
) -> None:
    hub = EventHub()
    bridge = fast_bridge(settings_for(broker))
    task = asyncio.create_task(bridge.run(hub.subscribe(maxsize=64)))
    await online(listener)
    await listener.wait_for(lambda s: payloads(s, "treadpace/state") == ["idle"])

    hub.publish(RunStarted(0.0, 1_767_225_600.0, "Thirds", "thirds", "p.yaml", STEPS, False, "sim"))
    hub.publish(StateChanged(0.0, RunState.RUNNING, RunState.READY))
    hub.publish(StepStarted(0.0, 0, STEPS[0], 2))
    # The engine ticks at 4 Hz; the bridge publishes 1 Hz of run time.
    for i in range(16):
        t = i * 0.25
        hub.publish(tick(t))
        if t == int(t):
            await listener.wait_for(has_telemetry(int(t) + 1))
    hub.publish(StateChanged(4.0, RunState.FINISHED, RunState.RUNNING))
    hub.publish(RunFinished(4.0, 1_767_225_604.0, RunState.FINISHED, "done", 10.0, 4.0, ()))
    hub.close()
    await asyncio.wait_for(task, 5)
    # "offline" is the bridge's last word; once it is here, everything before it is too.
    await listener.wait_for(lambda s: payloads(s, "treadpace/availability")[-1:] == ["offline"])

    assert [p["t"] for p in telemetry(listener)] == [0.0, 1.0, 2.0, 3.0]
    last = telemetry(listener)[-1]
    assert last["speed_kmh"] == 9.0
    assert last["pace"] == "6:40/km"
    assert last["distance_m"] == 7.5
    assert last["heart_rate_bpm"] == 140
    assert last["step"] == "warm-up" and last["total_steps"] == 2
    assert last["step_remaining_display"] == "1:57"
    assert payloads(listener, "treadpace/state") == ["idle", "running", "finished"]
    assert [e["event"] for e in events(listener)] == ["run_started", "step_started", "run_finished"]
    assert events(listener)[1]["name"] == "warm-up"
    assert payloads(listener, "treadpace/availability") == ["online", "offline"]
    assert all(not m.retain for m in listener.on("treadpace/telemetry"))

    discovery = {
        m.topic: json.loads(m.payload) if m.payload else None
        for m in listener.messages
        if m.topic.startswith("homeassistant/")
    }
    speed = discovery["homeassistant/sensor/treadpace/speed/config"]
    assert speed is not None
    assert (speed["device_class"], speed["unit_of_measurement"]) == ("speed", "km/h")
    assert speed["device"]["name"] == "Garage treadmill"
    pause = discovery["homeassistant/button/treadpace/pause/config"]
    assert pause is not None
    assert pause["command_topic"] == "treadpace/command/pause"
    assert discovery["homeassistant/button/treadpace/start/config"] is None

    # A late subscriber (Home Assistant after a restart) still sees the retained picture.
    async with listening(broker) as late:
        await late.wait_for(lambda s: s.on("treadpace/availability"))
        await late.publish("test/marker", "x")
        await late.wait_for(lambda s: s.on("test/marker"))
        # Retained (the broker replays them to a new subscriber, flagged retain).
        assert [(m.payload, m.retain) for m in late.on("treadpace/state")] == [(b"finished", True)]
        assert payloads(late, "treadpace/availability") == ["offline"]
        configs = [m for m in late.messages if m.topic.startswith("homeassistant/")]
        assert len(configs) >= 15 and all(m.retain for m in configs)

    # And remove_discovery() takes it all away.
    cleared = await remove_discovery(settings_for(broker))
    assert cleared >= 15
    async with listening(broker) as after:
        await after.publish("test/marker", "x")
        await after.wait_for(lambda s: s.on("test/marker"))
        assert [m.topic for m in after.messages if m.retain] == []


async def test_commands_reach_the_engine_and_bad_ones_are_ignored(
    broker: Broker, listener: Listener
) -> None:
    hub = EventHub()
    rec = Recorder()
    bridge = fast_bridge(settings_for(broker), rec)
    task = asyncio.create_task(bridge.run(hub.subscribe(maxsize=64)))
    await online(listener)
    for topic, payload in [
        ("pause", "PRESS"),
        ("nudge", "fast"),  # bad: ignored
        ("nudge", "+9"),  # too big: rejected, not clamped
        ("self_destruct", "PRESS"),  # unknown
        ("start", "PRESS"),  # passed on: the engine's gate decides (test_mqtt_engine)
        ("nudge", "+0.2"),
        ("nudge", "-0.5"),
        ("resume", "PRESS"),
        ("skip", "PRESS"),
        ("stop", "PRESS"),
    ]:
        await listener.publish(f"treadpace/command/{topic}", payload)
    await listener.wait_for(lambda s: len(rec.calls) >= 7)
    assert rec.calls == [
        (Command.PAUSE, None),
        (Command.START, None),
        (Command.NUDGE_UP, 0.2),
        (Command.NUDGE_DOWN, 0.5),
        (Command.RESUME, None),
        (Command.SKIP, None),
        (Command.STOP, None),
    ]
    assert rec.sources == {CommandSource.REMOTE}  # so the engine's gate treats them as such
    notices = await listener.wait_for(
        lambda s: (n := [e for e in events(s) if e["event"] == "notice"]) and len(n) >= 3 and n
    )
    echoed = await listener.wait_for(
        lambda s: (
            len(c := [(e["command"], e["value"]) for e in events(s) if e["event"] == "command"])
            >= 7
            and c
        )
    )
    assert echoed[:4] == [("pause", None), ("start", None), ("nudge_up", 0.2), ("nudge_down", 0.5)]
    assert any("nudge" in str(n["message"]) for n in notices)
    hub.close()
    await asyncio.wait_for(task, 5)


async def test_a_retained_start_never_replays_and_a_live_one_starts_when_allowed(
    broker: Broker, listener: Listener, caplog: pytest.LogCaptureFixture
) -> None:
    # A stale, retained "start" sits on the broker before the bridge connects.
    await listener.publish("treadpace/command/start", "PRESS", retain=True)
    hub = EventHub()
    rec = Recorder()
    bridge = fast_bridge(settings_for(broker, allow_remote_start=True), rec)
    task = asyncio.create_task(bridge.run(hub.subscribe(maxsize=64)))
    await online(listener)
    # The bridge clears it, so it cannot come back on the next connection either.
    await listener.wait_for(lambda s: payloads(s, "treadpace/command/start")[-1:] == [""])
    assert rec.calls == []
    assert "ignoring retained command" in caplog.text
    start = await listener.wait_for(lambda s: s.on("homeassistant/button/treadpace/start/config"))
    assert json.loads(start[-1].payload)["command_topic"] == "treadpace/command/start"

    await listener.publish("treadpace/command/start", "PRESS")
    await listener.wait_for(lambda s: rec.calls)
    assert rec.calls == [(Command.START, None)]
    hub.close()
    await asyncio.wait_for(task, 5)


async def test_a_failing_command_handler_does_not_stop_the_bridge(
    broker: Broker, listener: Listener
) -> None:
    calls: list[Command] = []

    async def flaky(command: Command, value: float | None, source: CommandSource) -> None:
        calls.append(command)
        if command is Command.PAUSE:
            raise RuntimeError("treadmill said no")

    hub = EventHub()
    bridge = MqttBridge(settings_for(broker), commands=flaky, reconnect_min_s=0.05)
    task = asyncio.create_task(bridge.run(hub.subscribe(maxsize=64)))
    await online(listener)
    await listener.publish("treadpace/command/pause", "PRESS")
    await listener.publish("treadpace/command/resume", "PRESS")
    await listener.wait_for(lambda s: len(calls) >= 2)
    assert calls == [Command.PAUSE, Command.RESUME]
    assert not task.done()
    hub.close()
    await asyncio.wait_for(task, 5)


async def test_broker_killed_mid_run_and_restarted_telemetry_resumes(
    broker: Broker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="treadpace.mqtt")
    hub = EventHub()
    sub = hub.subscribe(maxsize=64)
    bridge = fast_bridge(settings_for(broker))
    task = asyncio.create_task(bridge.run(sub))
    t = 0.0
    async with listening(broker) as before:
        await online(before)
        hub.publish(StateChanged(0.0, RunState.RUNNING, RunState.READY))
        hub.publish(tick(t))
        await before.wait_for(lambda s: telemetry(s))

    broker.kill()
    # The run goes on while the broker is gone: events keep flowing and are consumed.
    for _ in range(40):
        t += 0.25
        hub.publish(tick(t))
        await asyncio.sleep(0.005)
    assert not task.done()
    assert sub.dropped == 0
    hub.publish(StateChanged(t, RunState.PAUSED, RunState.RUNNING))

    broker.start()  # same port, empty memory: no retained state survived the crash
    async with listening(broker) as after:
        while True:
            t += 0.25
            hub.publish(tick(t, state=RunState.PAUSED))
            try:
                await after.wait_for(lambda s: telemetry(s), timeout=0.1)
                break
            except TimeoutError:
                assert t < 60, "telemetry never resumed"
        # The first is the freshest picture held during the outage, then the live stream.
        assert telemetry(after)[0]["t"] >= 10.0
        resumed_at = t
        for _ in range(8):
            t += 0.25
            hub.publish(tick(t, state=RunState.PAUSED))
            await asyncio.sleep(0.005)
        stream = await after.wait_for(
            lambda s: [p["t"] for p in telemetry(s) if p["t"] > resumed_at + 1]
        )
        assert stream[0] > resumed_at
        # Reconnected: availability, discovery and the current state are republished.
        await after.wait_for(lambda s: payloads(s, "treadpace/state")[-1:] == ["paused"])
        assert "online" in payloads(after, "treadpace/availability")
        assert after.on("homeassistant/sensor/treadpace/speed/config")
        hub.close()
        await asyncio.wait_for(task, 5)
        await after.wait_for(lambda s: payloads(s, "treadpace/availability")[-1:] == ["offline"])
    assert task.result() is None
    assert bridge.connections == 2
    assert "lost mqtt://127.0.0.1" in caplog.text


async def test_no_broker_at_all_the_run_ends_promptly_without_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dead = Broker(tmp_path / "nobody")  # configured, never started: nothing listens
    hub = EventHub()
    bridge = fast_bridge(settings_for(dead))
    task = asyncio.create_task(bridge.run(hub.subscribe(maxsize=8)))
    for i in range(100):
        hub.publish(tick(i * 0.25))
        await asyncio.sleep(0.001)
    hub.close()
    await asyncio.wait_for(task, 3)
    assert task.result() is None
    assert bridge.connections == 0
    assert caplog.text.count("cannot connect to mqtt://127.0.0.1") == 1  # once, not per retry


async def test_frozen_broker_cannot_hold_the_run_hostage(broker: Broker) -> None:
    hub = EventHub()
    bridge = fast_bridge(settings_for(broker), io_timeout_s=0.3, final_timeout_s=0.5)
    task = asyncio.create_task(bridge.run(hub.subscribe(maxsize=8)))
    async with listening(broker) as lst:
        await online(lst)
    assert broker.proc is not None
    broker.proc.send_signal(19)  # SIGSTOP: the socket stays open, nothing answers
    try:
        for i in range(20):
            hub.publish(tick(i * 0.25, distance_m=float(i)))
            await asyncio.sleep(0.005)
        hub.close()
        await asyncio.wait_for(task, 0.5 + 0.5 + 1.0)  # final timeout + cancel grace + slack
        assert task.result() is None
    finally:
        broker.proc.send_signal(18)  # SIGCONT


async def test_disabled_bridge_drains_the_stream_without_connecting(broker: Broker) -> None:
    hub = EventHub()
    bridge = fast_bridge(settings_for(broker, enabled=False))
    sub = hub.subscribe(maxsize=4)
    task = asyncio.create_task(bridge.run(sub))
    for i in range(10):
        hub.publish(tick(float(i)))
    hub.close()
    await asyncio.wait_for(task, 2)
    assert bridge.connections == 0


def test_secret_settings_type_is_the_profile_kind() -> None:
    assert mqtt_settings(password=SecretStr("x")).password is not None


async def test_home_assistant_restart_gets_discovery_again_and_discovery_can_be_off(
    broker: Broker, listener: Listener
) -> None:
    hub = EventHub()
    task = asyncio.create_task(fast_bridge(settings_for(broker)).run(hub.subscribe(maxsize=8)))
    speed = "homeassistant/sensor/treadpace/speed/config"
    await listener.wait_for(lambda s: s.on(speed))
    await listener.publish("homeassistant/status", "online")  # Home Assistant's birth message
    await listener.wait_for(lambda s: len(s.on(speed)) == 2)
    hub.close()
    await asyncio.wait_for(task, 5)

    quiet = fast_bridge(settings_for(broker, discovery=False, base_topic="quiet"))
    hub = EventHub()
    task = asyncio.create_task(quiet.run(hub.subscribe(maxsize=8)))
    await listener.wait_for(lambda s: payloads(s, "quiet/availability")[-1:] == ["online"])
    await listener.publish("homeassistant/status", "online")
    hub.close()
    await asyncio.wait_for(task, 5)
    await listener.wait_for(lambda s: payloads(s, "quiet/availability")[-1:] == ["offline"])
    assert not [m for m in listener.messages if "/quiet/" in m.topic]
    assert len(listener.on(speed)) == 2


CRASHING_BRIDGE = """
import asyncio, sys, types
from treadpace.engine.hub import EventHub
from treadpace.mqtt import MqttBridge

async def main() -> None:
    settings = types.SimpleNamespace(
        enabled=True, host="127.0.0.1", port=int(sys.argv[1]), base_topic="treadpace",
        client_id=None, username=None, password=None, tls=None, discovery=True,
        discovery_prefix="homeassistant", allow_remote_start=False, keepalive=30,
    )
    async def commands(command, value):
        pass
    await MqttBridge(settings, commands=commands).run(EventHub().subscribe(maxsize=8))

asyncio.run(main())
"""


async def test_a_crashed_process_is_reported_offline_by_the_last_will(
    broker: Broker, listener: Listener
) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CRASHING_BRIDGE, str(broker.port)
    )
    try:
        # Generous: a cold interpreter imports pydantic and aiomqtt first.
        await listener.wait_for(
            lambda s: payloads(s, "treadpace/availability")[-1:] == ["online"], timeout=20
        )
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        await listener.wait_for(lambda s: payloads(s, "treadpace/availability")[-1:] == ["offline"])
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    async with listening(broker) as late:  # and it is retained for whoever comes next
        await late.wait_for(lambda s: payloads(s, "treadpace/availability") == ["offline"])


async def test_cancelling_run_still_says_goodbye_and_propagates_the_cancel(
    broker: Broker, listener: Listener
) -> None:
    hub = EventHub()
    task = asyncio.create_task(fast_bridge(settings_for(broker)).run(hub.subscribe(maxsize=8)))
    await online(listener)
    hub.publish(StateChanged(1.0, RunState.ABORTED, RunState.RUNNING))
    await listener.wait_for(lambda s: payloads(s, "treadpace/state")[-1:] == ["aborted"])
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
    await listener.wait_for(lambda s: payloads(s, "treadpace/availability")[-1:] == ["offline"])
