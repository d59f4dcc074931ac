"""Figures for the live page: extra CPU with one page open, button-to-treadmill time, weight.

- weight: the bytes a phone loads (HTML, CSS, script; target < 200 KB).
- CPU: two `treadpace run PLAN --yes` at time scale 1 on the simulator, side by side
  (started together, sampled with psutil over the same SECONDS seconds, so a busy
  machine weighs on both alike): one without `--web`, one with it and one page open
  (a WebSocket client reading every message, as the page does). Both write a
  simulator log, so they differ by the page alone. The figure is the difference, in
  % of one core (target <= 0.01 % a client), printed with the resolution of the CPU
  times the system keeps (one clock tick over the window): a difference below it is
  noise.
- latency: with the page open, PRESSES pause/resume pairs over the socket; each
  press is timed from the send to the Control Point write appearing in the
  simulator's log (target < 100 ms; the log is polled every millisecond).

    python benchmarks/web_page.py [--seconds 120] [--presses 10] [PLAN]

A resume from a page is a start, so the benchmark's profile allows remote start.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import psutil

from treadpace.web.page_server import static_files

ROOT = Path(__file__).resolve().parents[1]
PROFILE = 'race: {distance: 5k, time: "25:00"}\nmqtt: {allow_remote_start: true}\n'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def start(plan: str, home: Path, extra: list[str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TREADPACE_HOME": str(home), "TREADPACE_CONFIG_HOME": str(home)}
    profile = home / "profile.yaml"
    profile.write_text(PROFILE)
    cmd = [
        sys.executable,
        "-m",
        "treadpace",
        "run",
        plan,
        "--yes",
        "--no-record",
        "--profile",
        str(profile),
        *extra,
    ]
    return subprocess.Popen(
        cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


async def cpu_side_by_side(
    procs: list[subprocess.Popen[bytes]], seconds: float
) -> tuple[list[float], float]:
    """Each process's CPU in % of a core over one shared window, and the window (s)."""
    ps = [psutil.Process(proc.pid) for proc in procs]
    t0 = time.monotonic()
    c0 = [sum(p.cpu_times()[:2]) for p in ps]
    await asyncio.sleep(seconds)
    c1 = [sum(p.cpu_times()[:2]) for p in ps]
    wall = time.monotonic() - t0
    return [(b - a) / wall * 100 for a, b in zip(c0, c1, strict=True)], wall


async def open_page(port: int) -> tuple[aiohttp.ClientSession, Any]:
    session = aiohttp.ClientSession()
    for _ in range(200):
        try:
            ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws")
            return session, ws
        except aiohttp.ClientError:
            await asyncio.sleep(0.05)
    raise SystemExit("the page never came up")


async def read_all(ws: Any, seen: list[dict[str, Any]]) -> None:
    async for msg in ws:
        if msg.type == aiohttp.WSMsgType.TEXT:
            seen.append(json.loads(msg.data))


class LogWatch:
    """New Control Point writes in the simulator's log, reading only what was added."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def new_commands(self) -> int:
        if not self.path.exists():
            return 0
        with self.path.open("rb") as f:
            f.seek(self.offset)
            data = f.read()
        complete = data[: data.rfind(b"\n") + 1]
        self.offset += len(complete)
        return complete.count(b'"event": "command"')


async def press(ws: Any, watch: LogWatch, command: str) -> float:
    watch.new_commands()
    t0 = time.perf_counter()
    await ws.send_json({"type": "command", "command": command})
    for _ in range(5000):
        if watch.new_commands():
            return (time.perf_counter() - t0) * 1000
        await asyncio.sleep(0.001)
    raise SystemExit(f"{command}: no command reached the treadmill")


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("plan", nargs="?", default=str(ROOT / "configs" / "plans" / "thirds.yaml"))
    ap.add_argument("--seconds", type=float, default=120.0)  # 1 tick = 0.008 %
    ap.add_argument("--settle", type=float, default=3.0)
    ap.add_argument("--presses", type=int, default=10)
    args = ap.parse_args()
    weight = sum(len(b) for b in static_files().values())
    print(f"page weight: {weight / 1000:.1f} KB ({len(static_files())} files; target < 200 KB)")
    with tempfile.TemporaryDirectory() as tmp:
        home_plain, home_web = Path(tmp) / "plain", Path(tmp) / "web"
        home_plain.mkdir()
        home_web.mkdir()
        port, log = free_port(), home_web / "sim.jsonl"
        plain = start(args.plan, home_plain, ["--sim-log", str(home_plain / "sim.jsonl")])
        web = start(
            args.plan, home_web, ["--web-listen", f"127.0.0.1:{port}", "--sim-log", str(log)]
        )
        try:
            session, ws = await open_page(port)
            seen: list[dict[str, Any]] = []
            reader = asyncio.create_task(read_all(ws, seen))
            await asyncio.sleep(args.settle)  # start-up, outside the window
            (base, with_page), wall = await cpu_side_by_side([plain, web], args.seconds)
            received = len(seen)
            times = []
            watch = LogWatch(log)
            for _ in range(args.presses):
                for command in ("pause", "resume"):
                    times.append(await press(ws, watch, command))
                    await asyncio.sleep(1.0)
            reader.cancel()
            await session.close()
        finally:
            for proc in (plain, web):
                proc.send_signal(signal.SIGINT)
                proc.wait(30)
    tick = 100 / os.sysconf("SC_CLK_TCK") / wall
    print(
        f"CPU side by side over {wall:.0f} s: without --web {base:.2f} % of a core;"
        f" with one page open {with_page:.2f} %; extra {with_page - base:+.2f} %"
        f" (target <= 0.01 %; resolution {tick:.2f} %), {received} messages received"
    )
    print(
        f"button to treadmill: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms"
        f" over {len(times)} presses (target < 100 ms)"
    )


if __name__ == "__main__":
    asyncio.run(main())
