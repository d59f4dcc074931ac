"""The person at the simulated console looks at it only once the run is guided.

`follow_the_screen` stands a `ConsoleRunner` in for a runner on an unattended
`run --simulate --yes`. On a machine treadpace drives, there is nothing for that
person to do, and looking a few times a second was most of such a run's wake-ups (the
plain run at time scale 1 went from 0.53 % to 0.30 % of a core without them); on a
guided run the person starts looking at the first notice that says so.
"""

from __future__ import annotations

import asyncio

from treadpace.base.notice_level import NoticeLevel
from treadpace.commands.sim_console import follow_the_screen
from treadpace.engine.events import Notice, NoticeKind, RunFinished, RunState
from treadpace.engine.hub import EventHub


class Person:
    """A `ConsoleRunner` stand-in: counts its looks and what it was told."""

    def __init__(self) -> None:
        self.looking = 0
        self.asked_to_start_n = 0
        self.over: bool | None = None

    async def run(self) -> None:
        self.looking += 1
        await asyncio.Event().wait()  # looks until cancelled

    def asked_to_start(self) -> None:
        self.asked_to_start_n += 1

    def show_target(self, kmh: float | None) -> None:
        pass

    def run_over(self, stop_the_belt: bool) -> None:
        self.over = stop_the_belt


FINISHED = RunFinished(1.0, 0.0, RunState.FINISHED, "plan complete", 0.0, 1.0, ())


async def follow(*events: object) -> Person:
    hub, person = EventHub(), Person()
    sub = hub.subscribe()
    following = asyncio.create_task(follow_the_screen(person, sub))  # type: ignore[arg-type]
    for event in events:
        for _ in range(5):  # time enough for anyone to start looking
            await asyncio.sleep(0)
        hub.publish(event)  # type: ignore[arg-type]
    hub.close()
    await following
    return person


async def test_a_driven_run_never_has_the_person_look() -> None:
    person = await follow(FINISHED)
    assert person.looking == 0 and person.over is False


async def test_a_guided_run_has_the_person_look_once_it_says_so() -> None:
    start = Notice(0.5, NoticeLevel.WARNING, "start the belt", NoticeKind.START_ON_CONSOLE)
    guided = Notice(0.6, NoticeLevel.WARNING, "guided", NoticeKind.GUIDED)
    person = await follow(start, guided, FINISHED)
    assert person.looking == 1 and person.asked_to_start_n == 1 and person.over is True
