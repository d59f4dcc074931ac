"""`run --simulate`: the simulated treadmill's console, next to treadpace's own controls.

Two ways to reach the software treadmill's buttons (`treadpace_sim.console`): keys
in the live view, and, for `--yes` without a terminal, a `ConsoleRunner` that
reads the engine's events the way a person reads the screen. Both press the
machine's buttons; neither goes through the engine's command path, because on
a real treadmill they are not treadpace's buttons either.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from treadpace.engine.events import Notice, NoticeKind, RunFinished, Tick
from treadpace.engine.hub import Subscription

if TYPE_CHECKING:
    from treadpace_sim.console_runner import ConsoleRunner
    from treadpace_sim.treadmill import SimulatedTreadmill


def console_keys(sim: SimulatedTreadmill) -> tuple[dict[str, Callable[[], None]], str]:
    """(key -> button press, the help text for them)."""
    from treadpace_sim.console import Console

    console = Console(sim)
    return console.bindings(), console.help()


async def follow_the_screen(runner: ConsoleRunner, sub: Subscription) -> None:
    """Tell `runner` what the screen says until the run ends.

    Only guided mode is the runner's business: there the screen asks for the
    start and shows the target to set, and the belt is the runner's to stop.
    Otherwise treadpace drives the belt and the runner just runs: the person at the
    console starts looking (a few times a second) only once the run is guided, so a
    run treadpace drives wakes for nothing else than its own work.
    """
    guided = False
    acting: asyncio.Task[None] | None = None
    try:
        async for e in sub:
            if isinstance(e, Notice) and e.kind in (NoticeKind.START_ON_CONSOLE, NoticeKind.GUIDED):
                guided = True
                if acting is None:
                    acting = asyncio.create_task(runner.run(), name="console-runner")
                if e.kind == NoticeKind.START_ON_CONSOLE:
                    runner.asked_to_start()
            elif isinstance(e, Tick) and guided:
                runner.show_target(e.target_speed_kmh)
            elif isinstance(e, RunFinished):
                runner.run_over(stop_the_belt=guided)
                break
    finally:
        sub.close()
        if acting is not None:
            acting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await acting
