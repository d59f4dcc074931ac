"""A run that serves its page on the LAN waits for the phone before the countdown.

The QR code was printed and the 3-2-1 began at once: about three seconds to scan
it. Now the countdown waits for the first page load (or a key at the terminal),
said in one line; on loopback, or with `--yes`, nothing waits.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest

from tests.ports import free_port
from tests.session_run import runner
from treadpace.base.clock import ScaledClock
from treadpace.base.listen import Listen
from treadpace.engine import RunState
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.session import RunOutcome, RunSession, SessionSetup
from treadpace.treadmill.sim import SimLink
from treadpace_sim.treadmill import SimulatedTreadmill

WAITING = "web: the countdown starts when the page opens on the phone"


@contextlib.asynccontextmanager
async def session_on(
    host: str, clock: ScaledClock
) -> AsyncIterator[tuple[RunSession, asyncio.Task[RunOutcome]]]:
    sim = SimulatedTreadmill("generic", clock)
    plan = CompiledPlan("lan", "custom", (CompiledStep("steady", "time", 600.0, 9.0),))
    setup = SessionSetup(
        compiled=plan,
        profile=runner(allowed=False),
        clock=clock,
        link=SimLink(sim),
        sim=sim,
        record=False,
        web=Listen(host, free_port()),
        quiet=True,
        install_signals=False,
    )
    async with RunSession(setup) as session:
        task = asyncio.create_task(session.run(), name="the run")
        try:
            yield session, task
        finally:
            session.engine.abort("the test is over")
            await asyncio.gather(task, return_exceptions=True)


async def until(clock: ScaledClock, cond: Callable[[], bool], seconds: int = 600) -> None:
    for _ in range(seconds):
        if cond():
            return
        await clock.sleep(1.0)
    raise AssertionError("condition not reached")


async def test_on_the_lan_the_countdown_waits_for_the_page_to_be_opened(
    capsys: pytest.CaptureFixture[str],
) -> None:
    clock = ScaledClock(60.0)
    async with session_on("0.0.0.0", clock) as (session, _task):
        engine = session.engine
        await until(clock, lambda: engine.state == RunState.READY)
        await clock.sleep(60.0)  # a minute of run time: still waiting, nothing counted
        assert engine.state == RunState.READY
        assert WAITING in capsys.readouterr().out
        page = session.page
        assert page is not None and page.token is not None
        url = f"http://127.0.0.1:{page.listen.port}/?token={page.token}"
        async with aiohttp.ClientSession() as http, http.get(url) as response:
            assert response.status == 200
        await until(clock, lambda: engine.state == RunState.RUNNING)


async def test_a_wrong_token_does_not_start_the_countdown() -> None:
    clock = ScaledClock(60.0)
    async with session_on("0.0.0.0", clock) as (session, _task):
        engine = session.engine
        await until(clock, lambda: engine.state == RunState.READY)
        page = session.page
        assert page is not None
        url = f"http://127.0.0.1:{page.listen.port}/?token=wrong"
        async with aiohttp.ClientSession() as http, http.get(url) as response:
            assert response.status == 403
        await clock.sleep(60.0)
        assert engine.state == RunState.READY


async def test_on_loopback_nothing_waits(capsys: pytest.CaptureFixture[str]) -> None:
    clock = ScaledClock(60.0)
    async with session_on("127.0.0.1", clock) as (session, _task):
        await until(clock, lambda: session.engine.state == RunState.RUNNING)
    assert WAITING not in capsys.readouterr().out
