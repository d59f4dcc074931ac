"""A hostile page cannot make the event loop the engine shares do unbounded work.

With a 10,000-step plan, 30 sockets asking 20 times each for the whole picture
once held a button press up for 12.6 s and grew the process by 300 MB. The work
a client can cause is now bounded, and these tests count it rather than time it
(the server's clock is frozen, so rates are exact on a loaded machine):

- the hello is built once per change of the run, however often it is asked for,
  and the plan's part once per run;
- a page's messages beyond its rate are dropped (commands included), a page that
  keeps flooding is closed, and at most `MAX_PAGES` sockets are open;
- a page that does not read holds at most `OUTBOX` messages, and the server keeps
  following the engine's events meanwhile;
- `serve` reads the history from disk once however many pages ask.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import WSCloseCode
from aiohttp.test_utils import TestClient, TestServer

from treadpace.base.listen import Listen
from treadpace.base.notice_level import NoticeLevel
from treadpace.engine.events import Command, Notice, NoticeKind, RunStarted
from treadpace.engine.gate import CommandSource, Verdict
from treadpace.engine.hub import EventHub
from treadpace.plans.steps import CompiledStep
from treadpace.web.live_state import LiveState
from treadpace.web.page_server import FLOOD_CLOSE, MAX_PAGES, MESSAGE_BURST, SOCKET_BURST, WebServer
from treadpace.web.pages import HELLO_EVERY_S, OUTBOX

BIG = tuple(CompiledStep(f"rep {i}", "time", 60.0, 8.0 + i % 5) for i in range(10_000))


@dataclass
class Frozen:
    """The server's clock, moved by hand."""

    t: float = 1000.0

    def __call__(self) -> float:
        return self.t


@dataclass
class Flood:
    server: WebServer
    state: LiveState
    hub: EventHub
    clock: Frozen
    client: TestClient[Any, Any]
    calls: list[Command] = field(default_factory=list)


@pytest.fixture
async def flood() -> AsyncIterator[Flood]:
    clock, hub, state = Frozen(), EventHub(), LiveState()
    calls: list[Command] = []

    async def handle(command: Command, value: float | None, source: CommandSource) -> Verdict:
        calls.append(command)
        return Verdict()

    server = WebServer(
        Listen("127.0.0.1", 0),
        token=None,
        commands=handle,
        state=state,
        min_interval_s=0.01,
        now=clock,
    )
    follow = asyncio.create_task(server.run(hub.subscribe(maxsize=50)))
    hub.publish(RunStarted(0, 1000, "Pyramid", "custom", "x.yaml", BIG, False, "sim"))
    await until(lambda: state.steps == BIG)
    async with TestClient(TestServer(server.app())) as client:
        yield Flood(server, state, hub, clock, client, calls)
    hub.close()
    await follow


async def until(cond: Callable[[], bool]) -> None:
    """Wait for the server to have done something (a bound, not a measurement)."""
    for _ in range(3000):
        if cond():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the server never got there")


async def hello(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    async with asyncio.timeout(30):
        while True:
            msg: dict[str, Any] = json.loads(await ws.receive_str())
            if msg["type"] == "hello":
                return msg


async def test_refreshes_and_presses_beyond_the_rate_are_dropped_and_the_hello_built_once(
    flood: Flood,
) -> None:
    f = flood
    async with f.client.ws_connect("/ws") as ws:
        first = await hello(ws)
        assert len(first["steps"]) == 10_000
        sent = 150  # under FLOOD_CLOSE: dropped, not yet closed
        for i in range(sent):
            kind = "refresh" if i % 2 else "command"
            await ws.send_json({"type": kind, "command": "faster", "id": i})
        await until(lambda: f.server.dropped == sent - MESSAGE_BURST)
        (page,) = f.server.pages
        # Only the burst got through: half of it presses, the other half refreshes that
        # were coalesced into one hello, and not before HELLO_EVERY_S has passed.
        assert f.calls == [Command.NUDGE_UP] * (MESSAGE_BURST // 2)
        assert page.hellos == 1 and page.want_hello
        f.clock.t += HELLO_EVERY_S
        page.wake.set()
        again = await hello(ws)
        assert again["steps"] == first["steps"] and page.hellos == 2
    # One run, no event since: one plan part, one hello for both.
    assert f.state.plan_builds == 1 and f.state.hello_builds == 1


def test_the_hello_as_text_says_what_the_hello_says() -> None:
    state = LiveState(allow_remote_start=True)
    state.absorb(RunStarted(0, 1000, "Pyramid", "custom", "x.yaml", BIG[:50], True, "sim"))
    state.absorb(Notice(1.0, NoticeLevel.INFO, "hello", NoticeKind.GENERAL))
    assert json.loads(state.hello_text()) == json.loads(json.dumps(state.hello()))
    # A new run's plan replaces the old one's, built afresh once.
    picture = state.plan_picture()
    state.absorb(RunStarted(2, 1002, "Short", "custom", "y.yaml", BIG[:2], False, "sim"))
    state.set_plan_json(picture, picture.json())  # built for the run before: not kept
    assert not state.plan_ready()
    assert [s["name"] for s in json.loads(state.hello_text())["steps"]] == ["rep 0", "rep 1"]
    assert state.plan_builds == 2


async def test_the_hello_is_built_once_per_change_for_every_page(flood: Flood) -> None:
    f = flood
    sockets = [await f.client.ws_connect("/ws") for _ in range(MAX_PAGES)]
    try:
        for ws in sockets:
            await hello(ws)
        assert f.state.hello_builds == 1
        f.hub.publish(Notice(5.0, NoticeLevel.INFO, "a change", NoticeKind.GENERAL))
        await until(lambda: f.state.version == 2)
        f.clock.t += HELLO_EVERY_S
        for ws in sockets:
            await ws.send_json({"type": "refresh"})
        for ws in sockets:
            assert (await hello(ws))["notices"][-1]["message"] == "a change"
        assert f.state.hello_builds == 2 and f.state.plan_builds == 1
    finally:
        for ws in sockets:
            await ws.close()


async def test_a_page_that_keeps_flooding_is_closed(flood: Flood) -> None:
    f = flood
    async with f.client.ws_connect("/ws") as ws:
        await hello(ws)
        for i in range(MESSAGE_BURST + FLOOD_CLOSE):
            await ws.send_json({"type": "refresh", "id": i})
        async with asyncio.timeout(30):
            while (msg := await ws.receive()).type != aiohttp.WSMsgType.CLOSE:
                pass
        assert msg.data == WSCloseCode.POLICY_VIOLATION
    await until(lambda: not f.server.pages)


async def test_at_most_so_many_pages_at_once(flood: Flood) -> None:
    f = flood
    opened, refused = [], 0
    for _ in range(30):
        try:
            opened.append(await f.client.ws_connect("/ws"))
        except aiohttp.WSServerHandshakeError as exc:
            assert exc.status == 503
            refused += 1
    try:
        assert len(opened) == min(MAX_PAGES, SOCKET_BURST) and refused == 30 - len(opened)
    finally:
        for ws in opened:
            await ws.close()


async def test_a_page_that_does_not_read_holds_a_bounded_outbox(flood: Flood) -> None:
    f = flood
    ws = await f.client.ws_connect("/ws")  # and never read from
    try:
        await until(lambda: len(f.server.pages) == 1)
        (page,) = f.server.pages
        before = f.state.version
        for i in range(1000):  # distinct, so none is held back as a repeat
            f.hub.publish(Notice(10.0 + i, NoticeLevel.INFO, f"notice {i}", NoticeKind.GENERAL))
            await asyncio.sleep(0)
            assert len(page.outbox) <= OUTBOX
        await until(lambda: f.state.version == before + 1000)  # the server kept up
        assert len(page.outbox) <= OUTBOX
    finally:
        await ws.close()


async def test_serve_reads_the_history_once_however_many_pages_ask() -> None:
    clock, reads = Frozen(), []

    def history() -> dict[str, Any]:
        reads.append(1)
        return {"unit": "km/h", "last": None, "runs": []}

    server = WebServer(Listen("127.0.0.1", 0), token=None, history=history, now=clock)
    async with TestClient(TestServer(server.app())) as client:
        sockets = [await client.ws_connect("/ws") for _ in range(5)]
        try:
            for ws in sockets:
                assert (await hello(ws))["mode"] == "history"
                for _ in range(20):
                    await ws.send_json({"type": "refresh"})
            await until(lambda: server.dropped == 5 * (20 - MESSAGE_BURST))
            clock.t += HELLO_EVERY_S  # the refreshes that got through are answered now
            for page in server.pages:
                page.wake.set()
            for ws in sockets:
                await hello(ws)
        finally:
            for ws in sockets:
                await ws.close()
    assert len(reads) == server.history_builds == 2  # on the first page, and once after
