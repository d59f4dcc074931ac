"""Figures for the live page: extra CPU with one page open, button-to-treadmill time, weight.

- weight: the bytes a phone loads (HTML, CSS, script; target < 200 KB).
- CPU: `treadpace run PLAN --yes` at time scale 1 on the simulator, sampled with
  psutil for SECONDS seconds, once without `--web` and once with it and one page
  open (a WebSocket client reading every message, as the page does); the figure
  is the difference, in % of one core (target <= 0.01 % a client).
- latency: with the page open, PRESSES pause/resume pairs over the socket; each
  press is timed from the send to the Control Point write appearing in the
  simulator's log (target < 100 ms; the log is polled every millisecond).

    python benchmarks/web_page.py [--seconds 30] [--presses 10] [PLAN]

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


async def cpu_of(proc: subprocess.Popen[bytes], settle: float, seconds: float) -> float:
    p = psutil.Process(proc.pid)
    await asyncio.sleep(settle)
    t0, c0 = time.monotonic(), sum(p.cpu_times()[:2])
    await asyncio.sleep(seconds)
    return (sum(p.cpu_times()[:2]) - c0) / (time.monotonic() - t0) * 100


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
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--settle", type=float, default=3.0)
    ap.add_argument("--presses", type=int, default=10)
    args = ap.parse_args()
    weight = sum(len(b) for b in static_files().values())
    print(f"page weight: {weight / 1000:.1f} KB ({len(static_files())} files; target < 200 KB)")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        plain = start(args.plan, home, [])
        try:
            base = await cpu_of(plain, args.settle, args.seconds)
        finally:
            plain.send_signal(signal.SIGINT)
            plain.wait(30)
        port, log = free_port(), home / "sim.jsonl"
        web = start(args.plan, home, ["--web-listen", f"127.0.0.1:{port}", "--sim-log", str(log)])
        try:
            session, ws = await open_page(port)
            seen: list[dict[str, Any]] = []
            reader = asyncio.create_task(read_all(ws, seen))
            with_page = await cpu_of(web, args.settle, args.seconds)
            times = []
            watch = LogWatch(log)
            for _ in range(args.presses):
                for command in ("pause", "resume"):
                    times.append(await press(ws, watch, command))
                    await asyncio.sleep(1.0)
            reader.cancel()
            await session.close()
        finally:
            web.send_signal(signal.SIGINT)
            web.wait(30)
    print(
        f"CPU without --web: {base:.2f} % of a core; with one page open: {with_page:.2f} %;"
        f" extra {with_page - base:+.2f} % (target <= 0.01 %), {len(seen)} messages received"
    )
    print(
        f"button to treadmill: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms"
        f" over {len(times)} presses (target < 100 ms)"
    )


if __name__ == "__main__":
    asyncio.run(main())
