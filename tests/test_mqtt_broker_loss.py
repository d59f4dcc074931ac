"""A broker that dies mid-run costs the run nothing and prints no asyncio traceback.

Against the real mosquitto helper: killed (SIGKILL) while the bridge publishes,
the link is lost and retried in the bridge's own words, and no exception is
left for asyncio to report later ("Future exception was never retrieved"),
whichever of the bridge's reader and writer notices first.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import subprocess
import sys
from pathlib import Path

import aiomqtt
import pytest

from mqtt_broker import MOSQUITTO, NO_MOSQUITTO, Broker, listening
from test_mqtt_bridge import Recorder, online, settings_for, tick
from treadpace.engine.events import EventHub, RunState, StateChanged
from treadpace.mqtt import MqttBridge

pytestmark = pytest.mark.skipif(MOSQUITTO is None, reason=NO_MOSQUITTO)

ROOT = Path(__file__).resolve().parents[1]
FAST = ("--time-scale", "60", "--yes", "-p")


class BusyReader(MqttBridge):
    """A bridge whose reader is elsewhere when the broker dies: the writer finds out first."""

    async def _receive(self, client: aiomqtt.Client) -> None:
        await asyncio.Event().wait()


async def test_writer_noticing_the_dead_broker_first_leaves_no_exception_behind(
    broker: Broker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    hub = EventHub()
    sub = hub.subscribe(maxsize=64)
    bridge = BusyReader(
        settings_for(broker),
        commands=Recorder(),
        reconnect_min_s=0.05,
        reconnect_max_s=0.4,
        io_timeout_s=2.0,
        final_timeout_s=2.0,
    )
    task = asyncio.create_task(bridge.run(sub))
    async with listening(broker) as lst:
        await online(lst)
    hub.publish(StateChanged(0.0, RunState.RUNNING, RunState.READY))
    broker.kill()
    for n in range(80):
        hub.publish(tick(n * 0.25))
        await asyncio.sleep(0.01)
    hub.close()
    await asyncio.wait_for(task, 10)
    assert "MQTT: lost mqtt://127.0.0.1" in caplog.text
    assert unretrieved() == []


def unretrieved() -> list[BaseException | None]:
    """Exceptions in futures nobody looked at: asyncio prints each when it is collected.

    Looked for directly, because when that happens depends on who still holds the
    error (the captured log records do).
    """
    gc.collect()
    return [
        f.exception()
        for f in gc.get_objects()
        if isinstance(f, asyncio.Future) and getattr(f, "_log_traceback", False)
    ]


def test_a_run_whose_broker_is_killed_prints_only_the_bridges_own_lines(
    broker: Broker, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    profile = home / "profile.yaml"
    profile.write_text(
        "race: {distance: 5k, time: '25:00'}\n"
        f"mqtt: {{enabled: true, host: 127.0.0.1, port: {broker.port}}}\n"
        f"recording: {{directory: {home / 'runs'}}}\n"
    )
    plan = home / "plan.yaml"
    # Ten minutes at x60: ten seconds of run after the broker dies, time for the bridge to
    # notice and say so on a busy machine (a shipped hour-long plan made this a minute long).
    plan.write_text(
        "name: Broker loss\nkind: custom\nsegments:\n"
        "  - {duration: '5:00', pace: easy}\n  - {duration: '5:00', pace: steady}\n"
    )
    env = {**os.environ, "TREADPACE_HOME": str(home), "TREADPACE_CONFIG_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "treadpace", "run", str(plan), "--simulate", *FAST, str(profile)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # the belt is running: the bridge is connected by now
            if "running (started)" in line:
                break
        broker.kill()
        out, err = proc.communicate(timeout=100)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "run finished: plan complete" in out
    lines = err.splitlines()
    # Lost mid-run, or (on a slow machine) while still connecting: said once either way.
    assert any(line.startswith(("MQTT: lost", "MQTT: cannot connect")) for line in lines), err
    assert all(line.startswith("MQTT: ") for line in lines), err
    assert "Traceback" not in err and "never retrieved" not in err
