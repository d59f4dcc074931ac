"""Live-view notices go when their condition ends, or after their lifetime (by kind, not text)."""

from __future__ import annotations

from tests.sim_engine import plan, run_sim
from treadpace.base.clock import VirtualClock
from treadpace.base.notice_level import NoticeLevel
from treadpace.engine import Engine, RunState
from treadpace.engine.events import (
    Notice,
    NoticeKind,
    RunFinished,
    StateChanged,
    StepStarted,
    Tick,
)
from treadpace.plans.steps import CompiledStep
from treadpace.ui.live_view import LiveView
from treadpace.ui.notices import LIFETIME_S, NoticeBoard
from treadpace_sim.treadmill import SimulatedTreadmill

STEP = CompiledStep("steady", "time", 60, 10.0)


class Wall:
    """A hand-moved wall clock for the lifetimes."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def tick(t: float) -> Tick:
    return Tick(t, t, RunState.RUNNING, 0, "steady", 10, 10, None, 0, None, 0, t, t, 0, 0, 0)


def finished(state: RunState = RunState.FINISHED) -> RunFinished:
    return RunFinished(99.0, 99.0, state, "plan complete", 1000.0, 99.0, ())


def kinds(board: NoticeBoard) -> list[NoticeKind]:
    return [n.kind for n in board.current()]


def test_a_staleness_warning_goes_when_data_comes_back() -> None:
    board = NoticeBoard(Wall())
    board.handle(Notice(10.0, NoticeLevel.WARNING, "no data", NoticeKind.STALE_DATA))
    assert kinds(board) == [NoticeKind.STALE_DATA]
    assert board.handle(tick(15.0))  # a change: the view redraws at once
    assert board.current() == []


def test_nothing_pending_outlives_the_run_but_errors_do() -> None:
    for end in (StateChanged(99.0, RunState.FINISHED, RunState.RUNNING), finished()):
        board = NoticeBoard(Wall(), keep=20)
        for kind in NoticeKind:
            board.handle(Notice(10.0, NoticeLevel.WARNING, kind.value, kind))
        board.handle(Notice(11.0, NoticeLevel.ERROR, "could not stop the belt", NoticeKind.GENERAL))
        board.handle(Notice(12.0, NoticeLevel.WARNING, "no data", NoticeKind.STALE_DATA))
        board.handle(end)
        assert board.messages() == ["could not stop the belt"]


def test_a_console_change_lasts_the_step_and_the_guided_target_is_replaced() -> None:
    board = NoticeBoard(Wall(), keep=5)
    board.handle(Notice(5.0, NoticeLevel.INFO, "steady: set 10.0 km/h", NoticeKind.STEP_TARGET))
    board.handle(Notice(30.0, NoticeLevel.INFO, "offset -0.50 km/h", NoticeKind.CONSOLE_CHANGE))
    board.handle(StepStarted(60.0, 1, STEP, 2))
    board.handle(Notice(60.0, NoticeLevel.INFO, "fast: set 12.0 km/h", NoticeKind.STEP_TARGET))
    assert board.messages() == ["fast: set 12.0 km/h"]


def test_the_countdown_counts_in_one_line_and_goes_when_it_ends() -> None:
    board = NoticeBoard(Wall())
    for i in (3, 2, 1):
        board.handle(Notice(3.0 - i, NoticeLevel.INFO, f"starting in {i}", NoticeKind.COUNTDOWN))
    assert board.messages() == ["starting in 1"]
    board.handle(StateChanged(3.0, RunState.RUNNING, RunState.COUNTDOWN))
    assert board.current() == []


def test_stopped_on_the_treadmill_goes_when_the_run_runs_again() -> None:
    board = NoticeBoard(Wall())
    board.handle(Notice(40.0, NoticeLevel.INFO, "belt stopped", NoticeKind.STOPPED_AT_TREADMILL))
    board.handle(Notice(41.0, NoticeLevel.WARNING, "link lost", NoticeKind.LINK_LOST))
    board.handle(StateChanged(41.0, RunState.PAUSED, RunState.RUNNING))
    assert len(board.current()) == 2
    board.handle(StateChanged(50.0, RunState.RUNNING, RunState.PAUSED))
    assert board.current() == []


def test_a_general_notice_has_a_lifetime_on_the_wall_clock() -> None:
    wall = Wall()
    board = NoticeBoard(wall)
    board.handle(Notice(1.0, NoticeLevel.WARNING, "pause: refused", NoticeKind.GENERAL))
    board.handle(Notice(1.0, NoticeLevel.ERROR, "stop it on the console", NoticeKind.GENERAL))
    wall.now = LIFETIME_S - 0.1
    assert len(board.current()) == 2
    wall.now = LIFETIME_S + 0.1
    assert board.messages() == ["stop it on the console"]


def test_the_guided_banner_follows_the_kind_not_the_text() -> None:
    view = LiveView()
    view.handle(
        Notice(1.0, NoticeLevel.INFO, "guided mode is explained in docs/run.md", NoticeKind.GENERAL)
    )
    assert not view.guided
    view.handle(
        Notice(2.0, NoticeLevel.WARNING, "read-only: guided mode - set it", NoticeKind.GUIDED)
    )
    assert view.guided


async def test_the_engine_stale_warning_is_gone_from_the_view_after_finished() -> None:
    p = plan(CompiledStep("only", "time", 120, 10.0))

    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(100)
        sim.telemetry_gap(60)  # the data stops until after the plan has ended

    o = await run_sim(p, script=script)
    assert o.result.state == RunState.FINISHED
    stale = [e for e in o.events if isinstance(e, Notice) and e.kind == NoticeKind.STALE_DATA]
    assert stale, "the gap is reported"
    view = LiveView()
    shown_before_end: list[str] = []
    for e in o.events:
        if isinstance(e, RunFinished | StateChanged) and e.state == RunState.FINISHED:
            shown_before_end = shown_before_end or view.notices
        view.handle(e)
    assert stale[-1].message in shown_before_end
    assert view.notices == []


async def test_the_engine_console_change_notice_ends_with_its_step() -> None:
    p = plan(CompiledStep("one", "time", 120, 10.0), CompiledStep("two", "time", 120, 11.0))

    async def script(engine: Engine, sim: SimulatedTreadmill, clock: VirtualClock) -> None:
        await clock.sleep(60)
        sim.press_speed(-0.5)

    o = await run_sim(p, script=script)
    view = LiveView()
    seen: list[list[NoticeKind]] = []
    for e in o.events:
        view.handle(e)
        if isinstance(e, StepStarted):
            seen.append([n.kind for n in view.board.current()])
        elif isinstance(e, Notice) and e.kind == NoticeKind.CONSOLE_CHANGE:
            assert e.message in view.notices
    assert any(isinstance(e, Notice) and e.kind == NoticeKind.CONSOLE_CHANGE for e in o.events)
    assert NoticeKind.CONSOLE_CHANGE not in seen[-1]
