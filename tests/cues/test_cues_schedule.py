"""The cue schedule from a compiled plan, the words of a cue, and the live view's banner.

Pure code: no clock, no engine (the engine runs in test_cues_engine.py).
"""

from __future__ import annotations

from treadpace.base.units import METRES_PER_MILE
from treadpace.cues import text
from treadpace.cues.banner import countdown
from treadpace.cues.schedule import Trigger, build, change_between
from treadpace.engine.events import Cue, CueChange, CueKind, RunState, Tick
from treadpace.plans.steps import CompiledStep

WARM = CompiledStep("warm-up", "time", 300, 9.0)
TEMPO = CompiledStep("tempo", "time", 300, 11.4, pace_label="threshold")
SAME = CompiledStep("more tempo", "time", 120, 11.4)
HILL = CompiledStep("hill", "time", 60, 11.4, incline_percent=3.0)
RAMP = CompiledStep("ramp", "time", 120, 11.4, end_speed_kmh=12.4)
SHORT = CompiledStep("stride", "time", 6, 14.0)
WARNINGS = (CueKind.UPCOMING, CueKind.COUNTDOWN)


def kinds(steps: tuple[CompiledStep, ...], lead_s: int = 10) -> list[tuple[int, str, str, float]]:
    return [(p.step, p.cue.kind.value, p.trigger.value, p.value) for p in build(steps, lead_s)]


def test_a_change_gets_a_warning_a_countdown_and_a_cue_when_it_happens() -> None:
    plan = build((WARM, TEMPO))
    warm = [p for p in plan if p.step == 0 and p.cue.kind != CueKind.HALFWAY]
    assert [(p.cue.kind, p.trigger, p.value) for p in warm] == [
        (CueKind.CHANGE, Trigger.START, 0.0),
        (CueKind.UPCOMING, Trigger.LEFT_S, 10.0),
        (CueKind.COUNTDOWN, Trigger.LEFT_S, 3.0),
        (CueKind.COUNTDOWN, Trigger.LEFT_S, 2.0),
        (CueKind.COUNTDOWN, Trigger.LEFT_S, 1.0),
    ]
    upcoming = warm[1].cue
    assert upcoming.change == CueChange.FASTER
    assert (upcoming.step_index, upcoming.speed_kmh, upcoming.seconds) == (1, 11.4, 10)
    # The last step is announced as such; its end warns of the plan's end.
    last = [p for p in plan if p.step == 1 and p.cue.kind != CueKind.HALFWAY]
    assert last[0].cue.kind == CueKind.LAST_STEP and last[0].trigger == Trigger.START
    assert [p.cue.change for p in last[1:]] == [CueChange.END] * 4


def test_the_lead_time_is_configurable() -> None:
    for lead, want in ((30, [30.0, 3.0, 2.0, 1.0]), (2, [2.0, 1.0])):
        plan = build((WARM, TEMPO), lead_s=lead)
        assert [p.value for p in plan if p.step == 0 and p.cue.kind in WARNINGS] == want


def test_no_warning_where_the_target_does_not_change() -> None:
    plan = build((TEMPO, SAME, WARM))
    assert [p for p in plan if p.step == 0 and p.trigger == Trigger.LEFT_S] == []
    assert [p.cue.kind for p in plan if p.step == 1 and p.trigger == Trigger.START] == []


def test_an_incline_change_and_a_ramp_start_are_changes() -> None:
    assert change_between(TEMPO, HILL) == CueChange.STEEPER
    assert change_between(HILL, TEMPO) == CueChange.FLATTER
    assert change_between(TEMPO, RAMP) == CueChange.FASTER  # same start speed, then rising
    assert change_between(RAMP, CompiledStep("after", "time", 60, 12.4)) is None
    assert change_between(TEMPO, None) == CueChange.END
    ramp = next(p.cue for p in build((TEMPO, RAMP)) if p.cue.kind == CueKind.UPCOMING)
    assert ramp.end_speed_kmh == 12.4


def test_warnings_that_do_not_fit_in_a_short_step_are_left_out() -> None:
    plan = build((WARM, SHORT, WARM))
    assert [p.value for p in plan if p.step == 1 and p.cue.kind in WARNINGS] == [3, 2, 1]


def test_halfway_is_placed_by_planned_time_in_the_steps_own_unit() -> None:
    # 300 s at 9 km/h, then 2 km at 12 km/h (600 s): halfway is 150 s into the 2 km.
    dist = CompiledStep("long", "distance", 2000, 12.0)
    half = [p for p in build((WARM, dist)) if p.cue.kind == CueKind.HALFWAY]
    assert len(half) == 1
    assert (half[0].step, half[0].trigger) == (1, Trigger.LEFT_M)
    assert abs(half[0].value - 1500.0) < 1e-6
    half_t = [p for p in build((WARM, TEMPO)) if p.cue.kind == CueKind.HALFWAY]
    assert (half_t[0].step, half_t[0].trigger, half_t[0].value) == (1, Trigger.LEFT_S, 300.0)
    assert not [p for p in build((SHORT, SHORT)) if p.cue.kind == CueKind.HALFWAY]


def test_the_words_follow_the_runners_units() -> None:
    [metric] = [p.cue for p in build((WARM, TEMPO)) if p.cue.kind == CueKind.UPCOMING][:1]
    assert text.speech(metric) == "Speeding up in 10 seconds: 5:16 per kilometre"
    assert text.display(metric) == "Speeding up in 10 s: 5:16/km (11.4 km/h)"
    imperial = [p.cue for p in build((WARM, TEMPO), imperial=True)]
    up = next(c for c in imperial if c.kind == CueKind.UPCOMING)
    assert text.speech(up) == "Speeding up in 10 seconds: 8:28 per mile"
    assert text.display(up) == "Speeding up in 10 s: 8:28/mi (7.1 mph)"
    last = next(c for c in imperial if c.kind == CueKind.LAST_STEP)
    assert text.speech(last) == "Last step: 5 minutes at threshold"
    end = next(c for c in imperial if c.change == CueChange.END and c.kind == CueKind.UPCOMING)
    assert text.speech(end) == "Run ends in 10 seconds"


def test_the_finish_and_a_distance_step_in_words() -> None:
    done = Cue(0.0, CueKind.FINISH, distance_m=5190.0, elapsed_s=1800.0)
    assert text.speech(done) == "Run complete: 5.19 kilometres in 30 minutes"
    assert text.display(done) == "Run complete: 5.19 km in 30:00"
    miles = Cue(0.0, CueKind.FINISH, distance_m=2 * METRES_PER_MILE, elapsed_s=1230, imperial=True)
    assert text.speech(miles) == "Run complete: 2 miles in 20 minutes 30 seconds"
    mile = CompiledStep("mile 2", "distance", METRES_PER_MILE, 10.0)
    change = next(p.cue for p in build((WARM, mile), imperial=True) if p.step == 1)
    assert text.speech(change) == "Last step: 1 mile at 9:39 per mile"
    hill = next(p.cue for p in build((TEMPO, HILL, TEMPO)) if p.cue.kind == CueKind.UPCOMING)
    assert text.speech(hill) == "Incline up in 10 seconds: 3 percent"


def tick(index: int, remaining: float, speed: float = 9.0) -> Tick:
    return Tick(
        t=0.0, wall=0.0, state=RunState.RUNNING, step_index=index, step_name="",
        speed_kmh=speed, target_speed_kmh=speed, incline_percent=0.0,
        target_incline_percent=0.0, heart_rate_bpm=None, distance_m=0.0, elapsed_s=0.0,
        step_elapsed_s=0.0, step_distance_m=0.0, step_remaining=remaining, progress=0.0,
    )  # fmt: skip


def test_the_banner_counts_down_to_the_next_real_change() -> None:
    steps = (WARM, TEMPO, SAME, WARM)
    assert countdown(steps, tick(0, 8.0), False) == "faster in 0:08 → 5:16/km"
    assert countdown(steps, tick(0, 8.0), True) == "faster in 0:08 → 8:28/mi"
    # Through a step with the same target: its planned time counts.
    assert countdown(steps, tick(1, 30.0), False) == "slower in 2:30 → 6:40/km"
    assert countdown(steps, tick(3, 5.0), False) == "finish in 0:05"
    dist = (CompiledStep("k", "distance", 1000, 12.0), HILL)
    # Slower and steeper at once: the banner says both.
    assert countdown(dist, tick(0, 100.0, speed=12.0), False) == "slower in 0:30 → 5:16/km, 3 %"
    assert countdown(dist, tick(0, 100.0, speed=0.0), False) == "slower after 100 m → 5:16/km, 3 %"
    assert countdown(steps, None, False) is None


def test_the_web_page_shows_a_cue_in_words() -> None:
    from treadpace.web.live_state import LiveState

    state = LiveState()
    cue = next(p.cue for p in build((WARM, TEMPO)) if p.cue.kind == CueKind.UPCOMING)
    note = state.absorb(cue)
    assert note == {
        "type": "cue",
        "level": "info",
        "message": "Speeding up in 10 s: 5:16/km (11.4 km/h)",
        "speak": "Speeding up in 10 seconds: 5:16 per kilometre",  # the phone says the words
        "lead_s": 10,
    }


def test_the_live_view_shows_the_banner_while_running() -> None:
    import io

    from rich.console import Console

    from treadpace.engine.events import RunStarted, StateChanged, StepStarted
    from treadpace.ui.live_view import LiveView

    view = LiveView()
    view.handle(RunStarted(0.0, 0.0, "p", "custom", "", (WARM, TEMPO), False, "sim"))
    view.handle(StateChanged(0.0, RunState.RUNNING, RunState.READY))
    view.handle(StepStarted(0.0, 0, WARM, 2))
    view.handle(tick(0, 8.0))

    def shown() -> str:
        console = Console(record=True, width=110, file=io.StringIO())
        console.print(view.render())
        return console.export_text()

    assert "faster in 0:08 → 5:16/km" in shown()
    view.handle(StateChanged(1.0, RunState.PAUSED, RunState.RUNNING))
    assert "faster in" not in shown()


def test_a_change_of_speed_and_incline_back_to_flat_says_both() -> None:
    up = CompiledStep("hill", "time", 300, 11.4, incline_percent=2.0)
    down = CompiledStep("flat", "time", 300, 9.0)
    steps = (up, down, up)
    plan = build(steps)
    warn = next(p.cue for p in plan if p.step == 0 and p.cue.kind == CueKind.UPCOMING)
    assert text.speech(warn) == (
        "Slowing down in 10 seconds: 6:40 per kilometre, incline 0 percent"
    )
    at = next(p.cue for p in plan if p.step == 1 and p.trigger == Trigger.START)
    assert text.display(at) == "Flat: 5:00 at 6:40/km (9.0 km/h), incline 0 %"
    assert countdown(steps, tick(0, 8.0, speed=11.4), False) == "slower in 0:08 → 6:40/km, 0 %"
    # The same speed change on a flat belt says nothing of the incline.
    flat = build((WARM, TEMPO, WARM))
    back = next(p.cue for p in flat if p.step == 1 and p.cue.kind == CueKind.UPCOMING)
    assert "incline" not in text.speech(back)
