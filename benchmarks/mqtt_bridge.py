"""MQTT bridge cost figures: what a live run pays for publishing to a broker.

Run: `.venv/bin/python benchmarks/mqtt_bridge.py`. Prints figures; asserts nothing.

1. The engine-side cost: translating one Tick (what `run()` does per event,
   with no network), in microseconds.
2. A 60-minute run's events (4 Hz ticks, a step every 5 minutes) pushed through
   a live bridge into a local mosquitto as fast as the bridge drains them, with
   a subscriber counting what arrives: CPU seconds of this process per hour of
   run, which is the bridge's share of the "< 1 % of one core" budget (an
   overestimate: the subscriber's receiving runs in the same process).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
import types
from pathlib import Path

import aiomqtt
import psutil

from treadpace.engine.events import Command, RunState, StepStarted, Tick
from treadpace.engine.gate import CommandSource
from treadpace.engine.hub import EventHub
from treadpace.mqtt import MqttBridge
from treadpace.plans.steps import CompiledStep

STEP = CompiledStep("steady", "time", 300.0, 10.0)


def settings(port: int) -> types.SimpleNamespace:
    return types.SimpleNamespace(
        enabled=True, host="127.0.0.1", port=port, base_topic="treadpace", client_id=None,
        username=None, password=None, tls=None, discovery=True,
        discovery_prefix="homeassistant", allow_remote_start=False, keepalive=30,
    )  # fmt: skip


def tick(t: float) -> Tick:
    return Tick(
        t=t, wall=1_767_225_600.0 + t, state=RunState.RUNNING, step_index=int(t // 300),
        step_name="steady", speed_kmh=10.0, target_speed_kmh=10.0, incline_percent=1.0,
        target_incline_percent=1.0, heart_rate_bpm=150, distance_m=t * 2.78, elapsed_s=t,
        step_elapsed_s=t % 300, step_distance_m=(t % 300) * 2.78,
        step_remaining=300 - t % 300, progress=t / 3600,
    )  # fmt: skip


async def nothing(command: Command, value: float | None, source: CommandSource) -> None:
    return None


def absorb_cost() -> float:
    bridge = MqttBridge(settings(1883), commands=nothing)
    ticks = [tick(i * 0.25) for i in range(100_000)]
    start = time.perf_counter()
    for t in ticks:
        bridge._absorb(t)
    return (time.perf_counter() - start) / len(ticks) * 1e6


async def live_hour(port: int) -> tuple[float, float, int, int]:
    hub = EventHub()
    bridge = MqttBridge(settings(port), commands=nothing)
    received = 0
    arrived = asyncio.Event()
    async with aiomqtt.Client("127.0.0.1", port) as sub:
        await sub.subscribe("treadpace/telemetry")

        async def count() -> None:
            nonlocal received
            async for _ in sub.messages:
                received += 1
                arrived.set()

        counter = asyncio.create_task(count())
        run = asyncio.create_task(bridge.run(hub.subscribe(maxsize=64)))
        for _ in range(500):  # wait (up to 5 s) for the bridge's first connection
            if bridge.connected:
                break
            await asyncio.sleep(0.01)
        proc = psutil.Process()
        cpu0, wall0 = proc.cpu_times(), time.perf_counter()
        for i in range(3600 * 4):
            t = i * 0.25
            if i % 1200 == 0:
                hub.publish(StepStarted(t, i // 1200, STEP, 12))
            hub.publish(tick(t))
            if i % 4 == 0:
                # Pace the feed like a live run: each second's telemetry arrives before the
                # next second starts (waiting in the event loop, not spinning).
                await asyncio.wait_for(arrived.wait(), 5)
                arrived.clear()
        hub.close()
        await run
        wall = time.perf_counter() - wall0
        cpu1 = proc.cpu_times()
        await asyncio.sleep(0.2)
        counter.cancel()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    return cpu, wall, bridge.telemetry_published, received


def main() -> None:
    print(f"translate one Tick: {absorb_cost():.1f} µs")
    mosquitto = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not os.path.exists(mosquitto):
        print("mosquitto not installed: live figures skipped")
        return
    with tempfile.TemporaryDirectory() as tmp, socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        conf = Path(tmp) / "m.conf"
        conf.write_text(
            f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
            + ("user root\n" if os.geteuid() == 0 else "")
        )
        broker = subprocess.Popen([mosquitto, "-c", str(conf)], stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.3)
            rss0 = psutil.Process().memory_info().rss
            cpu, wall, published, received = asyncio.run(live_hour(port))
            rss1 = psutil.Process().memory_info().rss
        finally:
            broker.terminate()
            broker.wait()
    print(
        f"60-minute run through a live bridge: {published} telemetry messages published, "
        f"{received} received, in {wall:.2f} s wall"
    )
    print(
        f"bridge CPU per hour of run: {cpu:.2f} s "
        f"= {cpu / 3600 * 100:.3f} % of one core at 1 Hz telemetry"
    )
    print(f"RSS growth over the hour: {(rss1 - rss0) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
