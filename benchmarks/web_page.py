"""Figures for the live page: CPU a page costs the run, button-to-treadmill time, weight.

- weight: the bytes a phone loads (HTML, CSS, script; target < 200 KB).
- CPU a client: one `treadpace run PLAN --yes --web` at time scale 1 on the simulator,
  its CPU time read at nanosecond resolution (the kernel's CPU clock of that process, as
  its own `time.process_time()` sees it). The run alternates between windows with no
  page and windows with one page open (a WebSocket client reading every message, as
  the page does), WINDOW seconds each, PAIRS times; connecting and closing happen
  between windows, outside what is measured. Each pair gives one difference (with the
  page minus without, in % of a core), so a machine whose load drifts weighs on both
  sides of each difference alike. Printed: the median difference, the mean with its
  standard error, and the spread of the differences (target <= 0.01 % a client).
- the floor under it, side by side: `socket_floor.py`, a bare asyncio server writing a
  message of the page's median size once a second, measured the same way in the same
  rounds (each pair of the run's windows followed by a pair of the floor's): what one
  small TCP write a second costs on this machine, which a page sent its numbers every
  second cannot cost less than.
- the page's work a message, warm, in a process serving nothing else (`page_replay.py`):
  the same server and picture fed a replayed run, every packet sent; what one page costs
  with the wander of a whole run's CPU and of an idle process's wake-ups taken out.
- latency: with the page open, PRESSES pause/resume pairs over the socket; each
  press is timed from the send to the Control Point write appearing in the
  simulator's log (target < 100 ms; the log is polled every millisecond).

    python benchmarks/web_page.py [--window 10] [--pairs 10] [--presses 10] [PLAN]

A resume from a page is a start, so the benchmark's profile allows remote start.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from treadpace.web.page_server import static_files

ROOT = Path(__file__).resolve().parents[1]
PROFILE = 'race: {distance: 5k, time: "25:00"}\nmqtt: {allow_remote_start: true}\n'
TARGET = 0.01
"""% of a core a connected page may cost the run."""


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


def start_floor(port: int, size: int) -> subprocess.Popen[bytes]:
    """`socket_floor.py` on `port`, writing `size` bytes a second to each reader."""
    script = Path(__file__).with_name("socket_floor.py")
    return subprocess.Popen([sys.executable, str(script), str(port), str(size)])


class CpuClock:
    """Another process's CPU time in seconds (user and system, every thread), to the ns.

    Linux names a process's CPU clock after its pid (clock_getcpuclockid(3): the pid
    complemented, shifted by three, with the scheduler clock's number, 2): the same
    clock as that process's `time.process_time()`, far finer than the 10 ms ticks of
    /proc/PID/stat.
    """

    def __init__(self, pid: int) -> None:
        self.clock = ((~pid) << 3) | 2

    def read(self) -> float:
        return time.clock_gettime(self.clock)


async def window(cpu: CpuClock, seconds: float) -> float:
    """The process's CPU over `seconds` of wall time, in % of one core."""
    c0, t0 = cpu.read(), time.monotonic()
    await asyncio.sleep(seconds)
    c1, t1 = cpu.read(), time.monotonic()
    return (c1 - c0) / (t1 - t0) * 100


async def connect(port: int, tries: int = 600) -> tuple[aiohttp.ClientSession, Any]:
    """A socket as a browser opens one: offering per-message compression, as browsers do."""
    session = aiohttp.ClientSession()
    for _ in range(tries):
        try:
            ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws", compress=15)
            return session, ws
        except aiohttp.ClientError:
            await asyncio.sleep(0.05)
    await session.close()
    raise SystemExit("the page never came up")


async def read_all(ws: Any, seen: list[str]) -> None:
    async for msg in ws:
        if msg.type == aiohttp.WSMsgType.TEXT:
            seen.append(msg.data)


class OpenPage:
    """One page open on the run for as long as the `async with` lasts, reading everything."""

    def __init__(self, port: int, seen: list[str]) -> None:
        self.port = port
        self.seen = seen

    async def __aenter__(self) -> Any:
        self.session, self.ws = await connect(self.port)
        self.reader = asyncio.create_task(read_all(self.ws, self.seen), name="page reader")
        return self.ws

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()
        await self.reader
        await self.session.close()


class OpenSocket:
    """One plain TCP reader on the floor's server, reading everything, while it lasts."""

    def __init__(self, port: int, seen: list[str]) -> None:
        self.port = port
        self.seen = seen

    async def __aenter__(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.task = asyncio.create_task(self._read(), name="socket reader")

    async def _read(self) -> None:
        while await self.reader.read(65536):
            self.seen.append("")

    async def __aexit__(self, *exc: object) -> None:
        self.writer.close()
        await self.task


class Subject:
    """A process, and how to open one reader on it (a page, or a plain socket)."""

    def __init__(self, pid: int, reader: Callable[[list[str]], Any]) -> None:
        self.cpu = CpuClock(pid)
        self.reader = reader
        self.without: list[float] = []
        self.with_reader: list[float] = []
        self.seen: list[str] = []

    async def pair(self, n: int, seconds: float, settle: float) -> None:
        """One window without a reader and one with, the first of them alternating."""
        # Which comes first alternates, so a trend in the load favours neither side.
        for reading in (n % 2 == 0, n % 2 == 1):
            if reading:
                async with self.reader(self.seen):
                    await asyncio.sleep(settle)  # its hello and first numbers, unmeasured
                    self.with_reader.append(await window(self.cpu, seconds))
            else:
                await asyncio.sleep(settle)  # the closed reader's goodbye, unmeasured
                self.without.append(await window(self.cpu, seconds))


async def per_client(subjects: list[Subject], seconds: float, pairs: int, settle: float) -> None:
    """PAIRS rounds, each a pair of windows for every subject, one subject after the other."""
    for n in range(pairs):
        for subject in subjects:
            await subject.pair(n, seconds, settle)


async def connected(port: int, tries: int = 600) -> None:
    """Wait until something listens on `port`."""
    for _ in range(tries):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return
    raise SystemExit(f"nothing came to listen on {port}")


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


async def presses(port: int, log: Path, count: int) -> list[float]:
    times = []
    watch = LogWatch(log)
    async with OpenPage(port, []) as ws:
        await asyncio.sleep(1.0)
        for _ in range(count):
            for command in ("pause", "resume"):
                times.append(await press(ws, watch, command))
                await asyncio.sleep(1.0)
    return times


def differences(subject: Subject) -> str:
    """The median difference (with minus without), its mean, standard error and spread."""
    diffs = [w - b for b, w in zip(subject.without, subject.with_reader, strict=True)]
    mean = statistics.fmean(diffs)
    error = statistics.stdev(diffs) / len(diffs) ** 0.5 if len(diffs) > 1 else float("nan")
    q = statistics.quantiles(diffs, n=4) if len(diffs) > 1 else [diffs[0]] * 3
    return (
        f"median {statistics.median(diffs):+.4f} % of a core, mean {mean:+.4f}"
        f" +- {error:.4f} % (standard error); differences from {min(diffs):+.4f} to"
        f" {max(diffs):+.4f}, quartiles {q[0]:+.4f} .. {q[2]:+.4f}"
    )


def report_cpu(run: Subject, floor: Subject, seconds: float, size: int) -> None:
    print(
        f"run without a page: median {statistics.median(run.without):.3f} % of a core;"
        f" with one page open: median {statistics.median(run.with_reader):.3f} %"
        f" ({len(run.without)} pairs of {seconds:.0f} s windows, alternating;"
        f" {len(run.seen)} messages read)"
    )
    print(f"CPU a client: {differences(run)} (target <= {TARGET} %)")
    print(
        f"  the floor, one {size}-byte TCP write a second and nothing else"
        f" (socket_floor.py, in the same rounds): {differences(floor)}"
    )


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("plan", nargs="?", default=str(ROOT / "configs" / "plans" / "thirds.yaml"))
    ap.add_argument("--window", type=float, default=10.0)
    ap.add_argument("--pairs", type=int, default=10)
    ap.add_argument("--settle", type=float, default=1.0)
    ap.add_argument("--presses", type=int, default=10)
    args = ap.parse_args()
    weight = sum(len(b) for b in static_files().values())
    print(f"page weight: {weight / 1000:.1f} KB ({len(static_files())} files; target < 200 KB)")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        port, log = free_port(), home / "sim.jsonl"
        run = start(args.plan, home, ["--web-listen", f"127.0.0.1:{port}", "--sim-log", str(log)])
        floor: subprocess.Popen[bytes] | None = None
        try:
            first: list[str] = []
            async with OpenPage(port, first):  # the run is up, and its page built once
                await asyncio.sleep(3.0)  # start-up, outside every window
            size = round(statistics.median(len(m.encode()) for m in first[1:] or first))
            floor_port = free_port()
            floor = start_floor(floor_port, size + 4)  # a WebSocket frame's header: 2-4 bytes
            await connected(floor_port)
            page = Subject(run.pid, lambda seen: OpenPage(port, seen))
            bare = Subject(floor.pid, lambda seen: OpenSocket(floor_port, seen))
            await per_client([page, bare], args.window, args.pairs, args.settle)
            times = await presses(port, log, args.presses)
            if run.poll() is not None:
                raise SystemExit("the run ended before the figures were taken: a longer plan")
        finally:
            run.send_signal(signal.SIGINT)
            run.wait(30)
            if floor is not None:
                floor.kill()
                floor.wait()
    report_cpu(page, bare, args.window, size)
    print(
        f"button to treadmill: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms"
        f" over {len(times)} presses (target < 100 ms)"
    )


def page_work() -> str:
    """page_replay.py's figure (run outside this script's event loop: it runs its own)."""
    from page_replay import page_cost  # (it borrows free_port from here)

    return page_cost()


if __name__ == "__main__":
    asyncio.run(main())
    print(f"  {page_work()}")
