"""The live page's WebSocket protocol and its security, against the running aiohttp app.

The server is fed real engine events through an `EventHub`; commands go to a
recording handler standing in for `Engine.command`. The last tests run the page in
the run's own wiring (`RunSession`, the simulator): a page's start or resume goes
through the engine's gate, so they fail if the page ever went round it (the
browser's view of it is in test_web_browser, the gate itself in test_engine_gate).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.ports import free_port
from tests.session_run import live_run, runner
from treadpace.base.listen import Listen, parse_listen
from treadpace.engine.events import Command, RunStarted, RunState, StepStarted, Tick
from treadpace.engine.gate import CommandSource, Refusal
from treadpace.engine.hub import EventHub
from treadpace.plans.steps import CompiledStep
from treadpace.web.live_state import LiveState
from treadpace.web.page_server import WebServer

STEPS = (CompiledStep("easy", "time", 600.0, 10.0), CompiledStep("tempo", "time", 300.0, 12.0))
TOKEN = "s3cret-token"


def tick(t: float, speed: float, step: int = 0, state: RunState = RunState.RUNNING) -> Tick:
    return Tick(
        t=t,
        wall=1000 + t,
        state=state,
        step_index=step,
        step_name=STEPS[step].name,
        speed_kmh=speed,
        target_speed_kmh=STEPS[step].speed_kmh,
        incline_percent=0.0,
        target_incline_percent=0.0,
        heart_rate_bpm=140,
        hr_zone=2,
        distance_m=t * 2.7,
        elapsed_s=t,
        step_elapsed_s=t,
        step_distance_m=t * 2.7,
        step_remaining=600 - t,
        progress=t / 900,
    )


class Harness:
    def __init__(self, token: str | None) -> None:
        self.hub = EventHub()
        self.calls: list[Command] = []
        self.sources: list[CommandSource] = []
        self.server = WebServer(
            Listen("127.0.0.1", 0),
            token=token,
            commands=self.handle,
            state=LiveState(),
            min_interval_s=0.01,
        )

    async def handle(self, command: Command, value: float | None, source: CommandSource) -> None:
        self.calls.append(command)
        self.sources.append(source)


@pytest.fixture
async def open_app() -> AsyncIterator[tuple[Harness, TestClient[Any, Any]]]:
    h = Harness(token=None)
    task = asyncio.create_task(h.server.run(h.hub.subscribe(maxsize=50)))
    async with TestClient(TestServer(h.server.app())) as client:
        yield h, client
    h.hub.close()
    await task


async def until(ws: aiohttp.ClientWebSocketResponse, kind: str, **match: Any) -> dict[str, Any]:
    async with asyncio.timeout(5):
        while True:
            msg: dict[str, Any] = await ws.receive_json()
            if msg["type"] == kind and all(msg.get(k) == v for k, v in match.items()):
                return msg


async def test_hello_then_live_numbers_follow_the_run(
    open_app: tuple[Harness, TestClient[Any, Any]],
) -> None:
    h, client = open_app
    h.hub.publish(RunStarted(0, 1000, "Two", "steps", "x.yaml", STEPS, False, "sim"))
    h.hub.publish(StepStarted(0, 0, STEPS[0], 2))
    h.hub.publish(tick(60, 9.9))
    await asyncio.sleep(0.05)
    async with client.ws_connect("/ws") as ws:
        hello = await until(ws, "hello")
        assert hello["plan"] == "Two" and [s["name"] for s in hello["steps"]] == ["easy", "tempo"]
        assert hello["planned"] == [[0.0, 600.0, 10.0, 10.0], [600.0, 900.0, 12.0, 12.0]]
        assert hello["live"]["target_pace"] == "6:00/km"
        assert hello["live"]["next_change"]["what"] == "faster"
        h.hub.publish(tick(120, 10.0))
        live = await until(ws, "live", elapsed="2:00")
        assert live["actual_speed"] == "10.0 km/h" and live["step_left"] == "8:00 left"
        assert live["next_change"]["in"] == "8:00" and live["next_change"]["pace"] == "5:00/km"
        assert live["heart_rate"] == 140 and live["state"] == "running"
        assert live["hr_zone"] == 2


async def test_a_command_reaches_the_handler_once_and_is_acknowledged(
    open_app: tuple[Harness, TestClient[Any, Any]],
) -> None:
    h, client = open_app
    async with client.ws_connect("/ws") as ws:
        await until(ws, "hello")
        await ws.send_json({"type": "command", "command": "pause", "id": 7})
        assert (await until(ws, "ack"))["id"] == 7
        await ws.send_json({"type": "command", "command": "explode", "id": 8})
        bad = await until(ws, "ack")
        assert bad["ok"] is False and "unknown command" in bad["error"]
        await ws.send_json({"type": "command", "command": "faster", "id": 9})
        await until(ws, "ack", id=9)
    assert h.calls == [Command.PAUSE, Command.NUDGE_UP]
    assert h.sources == [CommandSource.REMOTE] * 2  # what the engine's gate goes by
    # A page that comes back gets the picture again, never an old command replayed.
    async with client.ws_connect("/ws") as ws:
        await until(ws, "hello")
        h.hub.publish(tick(5, 9.0))
        await until(ws, "live")
    assert h.calls == [Command.PAUSE, Command.NUDGE_UP]


async def test_another_sites_page_cannot_drive_the_belt(
    open_app: tuple[Harness, TestClient[Any, Any]],
) -> None:
    h, client = open_app
    evil = {"Origin": "http://evil.example"}
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/ws", headers=evil)
    assert refused.value.status == 403
    r = await client.post("/command/stop", headers=evil)
    assert r.status == 403 and h.calls == []


async def test_a_token_guards_the_page_the_socket_and_commands(
    caplog: pytest.LogCaptureFixture,
) -> None:
    h = Harness(token=TOKEN)
    caplog.set_level(logging.WARNING, "treadpace.web")
    async with TestClient(TestServer(h.server.app())) as client:
        assert (await client.get("/")).status == 403
        assert (await client.get("/", params={"token": "wrong"})).status == 403
        ok = await client.get("/", params={"token": TOKEN})
        assert ok.status == 200 and "<canvas" in await ok.text()
        for params in ({}, {"token": "wrong"}):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await client.ws_connect("/ws", params=params)
            assert refused.value.status == 403
        for params in ({}, {"token": "wrong"}):
            assert (await client.post("/command/stop", params=params)).status == 403
        assert h.calls == []
        async with client.ws_connect("/ws", params={"token": TOKEN}) as ws:
            await until(ws, "hello")
            await ws.send_json({"type": "command", "command": "stop", "id": 1})
            await until(ws, "ack", ok=True)
        r = await client.post("/command/skip", headers={"X-Treadpace-Token": TOKEN})
        assert r.status == 200
    assert h.calls == [Command.STOP, Command.SKIP]
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 6 and any("POST /command/stop" in m for m in refusals)
    assert h.server.refused == 6


def test_listen_addresses() -> None:
    assert parse_listen("127.0.0.1:8080").loopback
    assert parse_listen("8090") == Listen("127.0.0.1", 8090)
    assert not parse_listen("0.0.0.0:8080").loopback
    assert parse_listen("[::1]:81").loopback
    assert "token=abc" in parse_listen("0.0.0.0:8080").url("abc")
    for bad in ("", "host", "1.2.3.4:0", "1.2.3.4:70000", "a b:80", "1.2.3.4:x"):
        with pytest.raises(ValueError, match="HOST:PORT"):
            parse_listen(bad)


def test_chart_keeps_a_bounded_history() -> None:
    state = LiveState()
    state.absorb(RunStarted(0, 0, "Two", "steps", "x.yaml", STEPS, False, "sim"))
    for t in range(0, 20000, 1):
        state.absorb(_tick_at(t))
    assert 300 <= len(state.chart) <= 600
    times = [p[0] for p in state.chart]
    assert times == sorted(times) and times[-1] >= 19000


def _tick_at(t: float) -> Tick:
    base = tick(0, 10.0)
    return Tick(**{**base.__dict__, "t": t, "elapsed_s": t})


async def page_says(port: int, command: str, refused: Refusal | None) -> dict[str, Any]:
    """Press a button on the run's page: the ack is the engine's verdict, the notice says it."""
    url = f"http://127.0.0.1:{port}/ws"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        hello = await until(ws, "hello")
        await ws.send_json({"type": "command", "command": command, "id": 1})
        ack = await until(ws, "ack", id=1)
        assert ack["ok"] is (refused is None)
        assert ack["refused"] == (refused.value if refused is not None else None)
        if refused is not None:
            assert ack["error"] == refused.text
            await until(ws, "notice", message=refused.text)
        return hello


async def post_command(port: int, command: str) -> tuple[int, dict[str, Any]]:
    """A script's press: `POST /command/NAME`, its status and JSON answer."""
    url = f"http://127.0.0.1:{port}/command/{command}"
    async with aiohttp.ClientSession() as session, session.post(url) as r:
        body: dict[str, Any] = await r.json()
        return r.status, body


async def test_a_page_in_a_run_that_does_not_allow_remote_start_never_starts_the_belt() -> None:
    port = free_port()
    web = Listen("127.0.0.1", port)
    async with live_run(runner(allowed=False), speed_kmh=9.0, remote_start=True, web=web) as run:
        await run.until(lambda: run.state() == RunState.READY)
        hello = await page_says(port, "start", Refusal.REMOTE_START_NOT_ALLOWED)
        assert hello["allow_remote_start"] is False  # no start button shown either
        await run.clock.sleep(30.0)
        assert run.state() == RunState.READY and run.starts() == 0
        await run.engine.command(Command.STOP)
        await asyncio.wait_for(run.outcome, 10)
    assert run.sim.server.belt.distance_m == 0.0


async def test_a_page_starts_a_run_that_allows_it_but_never_resumes_after_a_console_stop() -> None:
    port = free_port()
    web = Listen("127.0.0.1", port)
    async with live_run(runner(allowed=True), speed_kmh=9.0, remote_start=True, web=web) as run:
        sim = run.sim
        await run.until(lambda: run.state() == RunState.READY)
        hello = await page_says(port, "start", None)
        assert hello["allow_remote_start"] is True
        await run.until(lambda: sim.belt.speed_kmh >= 8.5)
        sim.press_stop()
        await run.until(lambda: run.state() == RunState.PAUSED and sim.belt.speed_kmh == 0.0)
        await page_says(port, "resume", Refusal.STOPPED_AT_TREADMILL)
        # A script's resume is answered with the engine's refusal too, never a 200.
        status, body = await post_command(port, "resume")
        assert status == 409 and body["ok"] is False
        assert body["refused"] == "stopped_at_treadmill"
        assert body["error"] == Refusal.STOPPED_AT_TREADMILL.text
        await run.clock.sleep(30.0)
        assert run.state() == RunState.PAUSED and sim.belt.speed_kmh == 0.0
        assert run.starts() == 1
        await run.engine.command(Command.STOP)
        await asyncio.wait_for(run.outcome, 10)
