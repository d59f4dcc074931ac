"""What one page costs the page's server a message, in a process serving nothing else.

The same `WebServer` and `LiveState` a `--web` run uses, fed by an `EventHub` with a
synthetic hour-long run (record/synthetic.py) at RATE telemetry packets a second, every
packet sent to the page (no coalescing), nothing else in the process; the page, a
WebSocket client reading every message, is another process. This process's CPU clock,
with one page and with none, gives what a page costs a message: the numbers built, the
frame written, the kernel's send.

Why not only the run's CPU (web_page.py): a run's CPU wanders by tenths of a percent of
a core from one window to the next, and an idle process woken once a second pays for
caches gone cold on this kind of machine, so the same code measures differently from
one sitting to the next. Here the figure is the page's work alone, warm; at one message
a second it is this many microseconds a second (target: <= 100 us, 0.01 % of a core).

    python benchmarks/page_replay.py [--rate 200] [--packets 400] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

import aiohttp
from web_page import free_port

from treadpace.base.listen import Listen
from treadpace.engine.events import Tick
from treadpace.engine.hub import EventHub
from treadpace.plans.steps import CompiledStep
from treadpace.record.synthetic import SyntheticRun, synthetic_events
from treadpace.web.live_state import LiveState
from treadpace.web.page_server import WebServer

HOUR = (
    CompiledStep("warm-up", "time", 600.0, 9.0, pace_label="easy"),
    CompiledStep("first third", "time", 900.0, 10.0, pace_label="easy"),
    CompiledStep("second third", "time", 900.0, 11.0, pace_label="marathon"),
    CompiledStep("last third", "time", 900.0, 12.0, pace_label="threshold"),
    CompiledStep("cool-down", "time", 300.0, 8.5, pace_label="easy"),
)
EVENTS = synthetic_events(SyntheticRun(steps=HOUR, hz=1.0))


async def replay(rate: float, packets: int, with_page: bool) -> tuple[float, int]:
    """This process's CPU a packet, serving one page (a reader in another process) or none;
    and the messages the page read."""
    port = free_port()
    hub = EventHub()
    # Every packet to the page: the figure is a message's cost, not a coalesced one's.
    server = WebServer(Listen("127.0.0.1", port), token=None, state=LiveState(), min_interval_s=0)
    await server.start()
    follow = asyncio.create_task(server.follow(hub.subscribe()), name="page server")
    reader = None
    if with_page:
        reader = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--read", str(port), stdout=asyncio.subprocess.PIPE
        )
        assert reader.stdout is not None
        await reader.stdout.readline()  # the page has its hello: from here on, packets
    n, t0 = 0, time.process_time()
    for event in EVENTS:
        if isinstance(event, Tick):
            n += 1
            if n > packets:
                break
            await asyncio.sleep(1.0 / rate)
        hub.publish(event)
    cpu = (time.process_time() - t0) / packets
    hub.close()
    await follow
    await server.close()
    if reader is None:
        return cpu, 0
    out, _ = await reader.communicate()
    return cpu, int(out) - 2  # not the hello nor the finished picture


async def read(port: int) -> None:
    """The page: read every message until the server closes, then say how many."""
    count = 0
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"http://127.0.0.1:{port}/ws") as ws,
    ):
        async for msg in ws:
            if not count:
                print("hello", flush=True)
            count += msg.type == aiohttp.WSMsgType.TEXT
    print(count)


def page_cost(rate: float = 200.0, packets: int = 400, repeats: int = 3) -> str:
    """One line: the server's CPU a packet without and with a page, and the difference."""
    without, with_page = [], []
    read = 0
    for _ in range(repeats):  # side by side, the best of each (the least disturbed)
        without.append(asyncio.run(replay(rate, packets, False))[0])
        cpu, read = asyncio.run(replay(rate, packets, True))
        with_page.append(cpu)
    page_us = (min(with_page) - min(without)) * 1e6
    return (
        f"the page's work a message, served alone at {rate:g} packets a second:"
        f" {page_us:.0f} us (server {min(without) * 1e6:.0f} us a packet without a page,"
        f" {min(with_page) * 1e6:.0f} us with one; {read} of {packets} messages read;"
        f" best of {repeats}); at one message a second {page_us / 1e4:.4f} % of a core"
        f" (target <= 0.01 %)"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=200.0)
    ap.add_argument("--packets", type=int, default=400)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--read", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.read is not None:
        asyncio.run(read(args.read))
        return
    print(page_cost(args.rate, args.packets, args.repeats))


if __name__ == "__main__":
    main()
