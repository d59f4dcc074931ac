"""A hostile page against a live run: does the engine still reach the treadmill on time?

`treadpace run` of a 10,000-step plan (5 s steps, alternately 9 and 9.5 km/h, so
the engine itself writes a speed every 5 s) at time scale 1, with the page on a
loopback port. A runner's page presses faster/slower every PRESS_EVERY seconds
throughout; each press is timed from the send to the Control Point write in the
simulator's log (polled every millisecond). Then SOCKETS hostile sockets each ask
REFRESHES times for the whole picture (and read what they get), one more floods
commands, and one opens and never reads; the flood runs in a process of its own,
so the timing page's own event loop is not the one busy reading it. Printed:
press latency before and during the flood, the longest gap between speed
commands around it, how many presses were lost, and the run's memory (RSS)
before, at the peak and after.

    python benchmarks/web_flood.py [--steps 10000] [--sockets 30] [--refreshes 20]

Targets (DESIGN.md): a button to the belt command < 100 ms; no gap in the
engine's commands beyond the press rhythm; memory back near where it was.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import psutil
from web_page import LogWatch, free_port

PRESS_EVERY = 0.5
ROOT = Path(__file__).resolve().parents[1]


async def open_page(port: int) -> tuple[aiohttp.ClientSession, Any]:
    """The runner's page, once the run is up (a 10,000-step plan takes a while to load)."""
    session = aiohttp.ClientSession()
    for _ in range(1200):
        try:
            ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws")
            return session, ws
        except aiohttp.ClientError:
            await asyncio.sleep(0.05)
    await session.close()
    raise SystemExit("the page never came up")


def write_plan(path: Path, steps: int) -> None:
    rows = "".join(
        f'  - {{name: s{i}, duration: "0:05", speed: {9 + i % 2 * 0.5} km/h}}\n'
        for i in range(steps)
    )
    path.write_text(f"name: Flood\nkind: custom\nsegments:\n{rows}")


def start(plan: Path, home: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TREADPACE_HOME": str(home), "TREADPACE_CONFIG_HOME": str(home)}
    profile = home / "profile.yaml"
    profile.write_text('race: {distance: 5k, time: "25:00"}\n')
    cmd = [sys.executable, "-m", "treadpace", "run", str(plan), "--yes", "--no-record"]
    cmd += ["--profile", str(profile), "--web-listen", f"127.0.0.1:{port}", "--sim-log", str(log)]
    return subprocess.Popen(
        cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


class Presser:
    """The runner's page: one press every PRESS_EVERY s, each timed to the treadmill."""

    def __init__(self, ws: Any, watch: LogWatch) -> None:
        self.ws, self.watch = ws, watch
        self.times: list[tuple[float, float]] = []  # (when, ms)
        self.lost = 0
        self.stop = False

    async def run(self) -> None:
        up = True
        while not self.stop:
            self.watch.new_commands()
            t0 = time.perf_counter()
            await self.ws.send_json({"type": "command", "command": "faster" if up else "slower"})
            up = not up
            for _ in range(30_000):
                if self.watch.new_commands():
                    self.times.append((t0, (time.perf_counter() - t0) * 1000))
                    break
                await asyncio.sleep(0.001)
            else:
                self.lost += 1
            await asyncio.sleep(max(0.0, PRESS_EVERY - (time.perf_counter() - t0)))


async def drain(ws: Any) -> None:
    with contextlib.suppress(Exception):
        async for _ in ws:
            pass


async def refresher(session: aiohttp.ClientSession, url: str, times: int) -> int:
    try:
        async with session.ws_connect(url, max_msg_size=0) as ws:
            reader = asyncio.create_task(drain(ws))
            for _ in range(times):
                await ws.send_json({"type": "refresh"})
            await asyncio.sleep(2.0)
            reader.cancel()
            return 1
    except aiohttp.ClientError:
        return 0  # refused: too many pages


async def presser_flood(session: aiohttp.ClientSession, url: str, times: int) -> None:
    with contextlib.suppress(aiohttp.ClientError):
        async with session.ws_connect(url) as ws:
            for i in range(times):
                await ws.send_json({"type": "command", "command": "skip", "id": i})
            await asyncio.sleep(2.0)


async def flood(port: int, sockets: int, refreshes: int) -> int:
    url = f"http://127.0.0.1:{port}/ws"
    async with aiohttp.ClientSession() as session:
        silent = await session.ws_connect(url)  # opens and never reads
        jobs = [refresher(session, url, refreshes) for _ in range(sockets)]
        opened = await asyncio.gather(*jobs, presser_flood(session, url, 1000))
        await silent.close()
    return sum(o for o in opened if o)


def gaps(log: Path, since: float, until: float) -> float:
    """The longest time between speed commands around the window (simulator seconds)."""
    t = _speed_times(log)
    window = [x for x in t if x < since][-1:] + [x for x in t if since <= x <= until]
    window += [x for x in t if x > until][:1]
    return max((b - a for a, b in itertools.pairwise(window)), default=0.0)


def summary(ms: list[float]) -> str:
    if not ms:
        return "no presses"
    return f"median {statistics.median(ms):.1f} ms, max {max(ms):.1f} ms ({len(ms)} presses)"


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=10_000)
    ap.add_argument("--sockets", type=int, default=30)
    ap.add_argument("--refreshes", type=int, default=20)
    ap.add_argument("--baseline", type=float, default=10.0)
    ap.add_argument("--flood", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.flood:  # the flooding process
        print(await flood(args.flood, args.sockets, args.refreshes), flush=True)
        return
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        plan, log, port = home / "flood.yaml", home / "sim.jsonl", free_port()
        write_plan(plan, args.steps)
        proc = start(plan, home, port, log)
        mem = psutil.Process(proc.pid)
        try:
            session, ws = await open_page(port)
            reader = asyncio.create_task(drain(ws))
            await asyncio.sleep(5.0)  # connected, running
            presser = Presser(ws, LogWatch(log))
            pressing = asyncio.create_task(presser.run())
            await asyncio.sleep(args.baseline)
            rss_before = mem.memory_info().rss
            t_flood = time.perf_counter()
            peak = rss_before
            flooder = await asyncio.create_subprocess_exec(
                sys.executable,
                __file__,
                "--flood",
                str(port),
                "--sockets",
                str(args.sockets),
                "--refreshes",
                str(args.refreshes),
                stdout=asyncio.subprocess.PIPE,
            )
            while flooder.returncode is None:
                peak = max(peak, mem.memory_info().rss)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(flooder.wait(), 0.05)
            assert flooder.stdout is not None
            opened = int((await flooder.stdout.read()).decode().strip() or 0)
            t_end = time.perf_counter()
            await asyncio.sleep(5.0)
            presser.stop = True
            await pressing
            rss_after = mem.memory_info().rss
            reader.cancel()
            await ws.close()
            await session.close()
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(30)
        base = [ms for t, ms in presser.times if t < t_flood]
        during = [ms for t, ms in presser.times if t_flood <= t <= t_end + 1.0]
        first = presser.times[0][0]
        # The simulator's clock started about when the first press was answered.
        offset = float(next(iter(_speed_times(log)), 0.0)) - first
        gap = gaps(log, t_flood + offset, t_end + offset + 1.0)
    print(f"plan: {args.steps} steps; flood: {args.sockets} sockets x {args.refreshes} refreshes")
    print(f"  ({opened} sockets were let in), a command flood, a socket that never reads")
    print(f"press to treadmill, before the flood: {summary(base)}")
    print(f"press to treadmill, during the flood: {summary(during)} (target < 100 ms)")
    print(f"flood lasted {t_end - t_flood:.1f} s; longest gap between speed commands: {gap:.2f} s")
    print(
        f"  (presses every {PRESS_EVERY} s, steps every 5 s);"
        f" presses with no write within 30 s: {presser.lost}"
    )
    mb = 1024 * 1024
    print(
        f"RSS: {rss_before / mb:.0f} MB before, {peak / mb:.0f} MB at the peak,"
        f" {rss_after / mb:.0f} MB after"
    )


def _speed_times(log: Path) -> list[float]:
    return [
        float(json.loads(line)["t"])
        for line in log.read_text().splitlines()
        if '"set_target_speed"' in line
    ]


if __name__ == "__main__":
    asyncio.run(main())
