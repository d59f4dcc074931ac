"""A run wired exactly as `treadpace run` wires it (`RunSession`), for the front ends' tests.

MQTT and the live page reach the belt only through the session's wiring, so a
test that drives them through it fails the day a front end goes round the
engine's remote-start gate (a command passed on as local, a check of its own).
Broker and HTTP I/O need real time, so the run uses a `ScaledClock`; the
simulator's command log tells which starts the belt actually answered.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from tests.mqtt_broker import Broker, mqtt_settings
from treadpace.base.clock import ScaledClock
from treadpace.base.listen import Listen
from treadpace.engine import Engine, RunState
from treadpace.plans.profile import MqttSettings, Profile
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.session import RunOutcome, RunSession, SessionSetup
from treadpace.treadmill.sim import SimLink
from treadpace_sim.treadmill import SimulatedTreadmill


def runner(*, allowed: bool, broker: Broker | None = None) -> Profile:
    """A quiet profile; with a broker, MQTT on it. `allowed` is `mqtt.allow_remote_start`."""
    mqtt = (
        mqtt_settings(host=broker.host, port=broker.port, allow_remote_start=allowed)
        if broker is not None
        else MqttSettings(allow_remote_start=allowed)
    )
    return Profile.model_validate(
        {
            "name": "Tester",
            "race": {"distance": "5k", "time": "25:00"},
            "mqtt": mqtt,
            "cues": {"voice": False, "bell": False},
        }
    )


@dataclass
class LiveRun:
    session: RunSession
    sim: SimulatedTreadmill
    clock: ScaledClock
    log: list[dict[str, object]]
    outcome: asyncio.Task[RunOutcome]

    @property
    def engine(self) -> Engine:
        return self.session.engine

    def state(self) -> RunState:
        """The engine's state, read afresh (it changes under the test's feet)."""
        return self.engine.state

    def starts(self) -> int:
        """Starts and resumes the simulated treadmill answered with success."""
        return sum(
            1
            for r in self.log
            if r.get("event") == "command"
            and r.get("op") == "start_or_resume"
            and r.get("result") == "success"
        )

    async def until(self, cond: Callable[[], bool], seconds: float = 300) -> None:
        """Wait up to `seconds` of run time for `cond`."""
        for _ in range(int(seconds)):
            if cond():
                return
            await self.clock.sleep(1.0)
        raise AssertionError("condition not reached")


@contextlib.asynccontextmanager
async def live_run(
    profile: Profile,
    *,
    speed_kmh: float,
    remote_start: bool = False,
    web: Listen | None = None,
) -> AsyncIterator[LiveRun]:
    """An hour of one steady step; started at once, or (`remote_start`) left waiting."""
    clock = ScaledClock(60.0)  # a clock second is 17 ms: broker and page answer in fewer
    log: list[dict[str, object]] = []
    sim = SimulatedTreadmill("generic", clock, observers=[lambda t, r: log.append(r)])
    step = CompiledStep("steady", "time", 3600.0, speed_kmh)
    plan = CompiledPlan("front ends", "custom", (step,))
    setup = SessionSetup(
        compiled=plan,
        profile=profile,
        clock=clock,
        link=SimLink(sim),
        sim=sim,
        yes=True,
        remote_start=remote_start,
        record=False,
        web=web,
        quiet=True,
        install_signals=False,
    )
    async with RunSession(setup) as session:
        task = asyncio.create_task(session.run())
        try:
            yield LiveRun(session, sim, clock, log, task)
        finally:
            if not task.done():
                session.engine.abort("the test is over")
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(task), 10)
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
