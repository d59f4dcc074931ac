"""The same notice thousands of times is said once, then with a count: never a flood of lines.

2,500 refused remote resumes once printed 1,249 identical lines. Here the engine
refuses them on the virtual clock, and every place that prints or shows notices
(the plain log, the terminal's notice board, the page) says each once per window.
"""

from __future__ import annotations

import io

from tests.sim_engine import plan, run_sim
from treadpace.base.clock import VirtualClock
from treadpace.base.notice_level import NoticeLevel
from treadpace.base.repeats import RepeatFilter, repeated
from treadpace.engine import Command, Engine, EngineConfig
from treadpace.engine.events import Notice, NoticeKind, RunStarted
from treadpace.engine.gate import NOT_ALLOWED, CommandSource, Refusal
from treadpace.plans.steps import CompiledStep
from treadpace.ui.notices import NoticeBoard
from treadpace.ui.plain import PlainLog
from treadpace.web.live_state import LiveState
from treadpace_sim.treadmill import SimulatedTreadmill

STEADY = plan(CompiledStep("a", "time", 120, 9.3))
PRESSES = 2500


def test_the_filter_says_each_once_a_window_then_with_its_count() -> None:
    f: RepeatFilter[str] = RepeatFilter(window_s=10.0)
    assert f.admit("a", 0.0) == 0  # the first is said
    assert [f.admit("a", t / 10) for t in range(1, 100)] == [None] * 99  # held for 10 s
    assert f.admit("b", 5.0) == 0  # another notice is its own
    assert f.admit("a", 10.0) == 99  # said again, with how many were held back
    assert f.admit("a", 10.5) is None
    assert f.held() == [("a", 1)] and f.held() == []
    assert repeated("x", 0) == "x" and repeated("x", 3) == "x (repeated 3 times)"
    small: RepeatFilter[int] = RepeatFilter(keep=4)
    for key in range(100):
        small.admit(key, 0.0)
    assert len(small._seen) == 4  # bounded whatever the keys


async def test_thousands_of_refused_remote_resumes_are_a_few_lines() -> None:
    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(20)
        await engine.command(Command.PAUSE)
        await clock.sleep(5)
        for _ in range(PRESSES):
            verdict = await engine.command(Command.RESUME, source=CommandSource.REMOTE)
            assert verdict.refusal is Refusal.REMOTE_START_NOT_ALLOWED
            await clock.sleep(0.01)  # 25 s of presses
        await engine.command(Command.RESUME)

    o = await run_sim(STEADY, config=EngineConfig(countdown_s=0), script=script)
    refusals = [e for e in o.events if isinstance(e, Notice) and e.message == NOT_ALLOWED]
    assert len(refusals) == PRESSES  # the engine said each (the journal keeps them all)

    out = io.StringIO()
    log = PlainLog(out)
    for event in o.events:
        log.handle(event)
    lines = [line for line in out.getvalue().splitlines() if NOT_ALLOWED in line]
    assert 3 <= len(lines) <= 5, lines  # one per 10 s window, and what the last one held
    counted = sum(_count(line) + (0 if "more times" in line else 1) for line in lines)
    assert counted == PRESSES  # every press accounted for, none printed twice

    board = NoticeBoard(lambda: 0.0)
    for event in o.events:
        board.handle(event)
        shown = [m for m in board.messages() if NOT_ALLOWED in m]
        assert len(shown) <= 1  # never stacked

    page = LiveState()
    sent = [page.absorb(event) for event in o.events]
    notes = [m for m in sent if m is not None and NOT_ALLOWED in str(m.get("message"))]
    assert 3 <= len(notes) <= 4
    assert [n["message"] for n in page.notices].count(NOT_ALLOWED) <= 1


def test_the_board_shows_a_repeat_once_with_its_count() -> None:
    board = NoticeBoard(lambda: 0.0)
    board.handle(Notice(1.0, NoticeLevel.WARNING, "refused", NoticeKind.GENERAL))
    board.handle(Notice(2.0, NoticeLevel.INFO, "other", NoticeKind.GENERAL))
    for t in range(3, 10):
        board.handle(Notice(float(t), NoticeLevel.WARNING, "refused", NoticeKind.GENERAL))
    assert board.messages() == ["other", "refused (repeated 7 times)"]


def test_the_page_sends_a_repeat_once_a_window() -> None:
    page = LiveState()
    page.absorb(RunStarted(0, 0, "p", "custom", "x", STEADY.steps, False, "sim"))
    out = [
        page.absorb(Notice(t / 10, NoticeLevel.WARNING, "refused", NoticeKind.GENERAL))
        for t in range(0, 150)
    ]
    said = [m["message"] for m in out if m is not None]
    assert said == ["refused", "refused (repeated 99 times)"]


def _count(line: str) -> int:
    if "(repeated " not in line:
        return 0
    return int(line.rsplit("(repeated ", 1)[1].split(" ", 1)[0])
