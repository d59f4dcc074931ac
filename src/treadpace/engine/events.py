"""What the engine tells the world: small frozen events, and a hub that fans them out.

Every sink (terminal view, MQTT bridge, recorder) subscribes to the same
`EventHub`. Publishing never blocks the engine: a sink with a bounded queue
loses its oldest events when it falls behind (MQTT), a sink with an unbounded
queue (the recorder) loses nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from treadpace.base.notice_level import NoticeLevel
from treadpace.engine.causes import Departure, EndCause, GuidedCause
from treadpace.plans.steps import CompiledStep


class RunState(enum.StrEnum):
    IDLE = "idle"
    READY = "ready"
    COUNTDOWN = "countdown"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    ABORTED = "aborted"


class Command(enum.StrEnum):
    """What a runner (keys, MQTT button) can ask of the engine."""

    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    SKIP = "skip"
    STOP = "stop"
    NUDGE_UP = "nudge_up"
    NUDGE_DOWN = "nudge_down"
    EXTEND = "extend"


@dataclass(frozen=True)
class RunStarted:
    t: float
    wall: float
    plan_name: str
    plan_kind: str
    plan_source: str
    steps: tuple[CompiledStep, ...]
    imperial: bool
    device: str
    """Human-readable treadmill name/address, e.g. "simulator:generic"."""
    simulated: bool = False
    """The run was on the software treadmill (not training: the history counts it apart)."""


@dataclass(frozen=True)
class StateChanged:
    t: float
    state: RunState
    previous: RunState
    reason: str = ""


@dataclass(frozen=True)
class StepStarted:
    t: float
    index: int
    step: CompiledStep
    total_steps: int


@dataclass(frozen=True)
class StepFinished:
    t: float
    index: int
    step: CompiledStep
    elapsed_s: float
    distance_m: float
    skipped: bool = False

    @property
    def avg_speed_kmh(self) -> float:
        return self.distance_m / self.elapsed_s * 3.6 if self.elapsed_s > 0 else 0.0


@dataclass(frozen=True)
class SetpointSent:
    t: float
    speed_kmh: float | None
    incline_percent: float | None
    reason: str = ""


@dataclass(frozen=True)
class Tick:
    """Once per telemetry update while a run is active: the full live picture."""

    t: float
    wall: float
    state: RunState
    step_index: int
    step_name: str
    speed_kmh: float
    target_speed_kmh: float
    incline_percent: float | None
    target_incline_percent: float
    heart_rate_bpm: int | None
    distance_m: float
    """Run distance (belt distance while the plan was active)."""
    elapsed_s: float
    """Plan time: excludes pauses."""
    step_elapsed_s: float
    step_distance_m: float
    step_remaining: float
    """Seconds or metres left in the step, by the step's kind."""
    progress: float
    """0..1 over the whole plan (by planned time)."""
    energy_kcal: float | None = None
    steps_count: int | None = None
    hr_zone: int | None = None
    """Zone 1-5 of `heart_rate_bpm` (0 below zone 1); None without a reading or zones."""
    true_speed_kmh: float | None = None
    """The runner's true speed (footpod, else calibrated belt); None when nothing says."""
    true_distance_m: float | None = None
    """The run's true distance, when a calibration or a footpod gives one."""
    footpod_kmh: float | None = None
    """The footpod's own reading, while it is live and plausible (what calibrate compares)."""
    lead_s: float = 0.0
    """The next change of speed comes this long before the step's end (the belt's lag)."""


class NoticeKind(enum.StrEnum):
    """What a notice is about, so that a view can retire it when its condition ends.

    Views decide by kind, never by the message text (which is for people).
    """

    GENERAL = "general"
    """Read it and move on: shown for a while."""
    COUNTDOWN = "countdown"
    """"starting in 3": over when the countdown is."""
    START_ON_CONSOLE = "start_on_console"
    """Guided start: the runner must start the belt; over once the run is running."""
    GUIDED = "guided"
    """The run went into guided mode (it stays guided; the view keeps a banner)."""
    STEP_TARGET = "step_target"
    """Guided mode: what to set for this step; replaced by the next step's."""
    CONSOLE_CHANGE = "console_change"
    """A console press respected for the rest of the step; over with the step."""
    ABOVE_CAP = "above_cap"
    """A console press above the runner's maximum, left alone for this step only."""
    STEP_HOW = "step_how"
    """How this step is run (open: skip it when done; free: set your own speed); over
    with the step."""
    STOPPED_AT_TREADMILL = "stopped_at_treadmill"
    """Stopped or paused on the machine, safety key: over when the run runs again."""
    STALE_DATA = "stale_data"
    """No telemetry for a while: over when telemetry arrives again."""
    LINK_LOST = "link_lost"
    """The link dropped: over when telemetry arrives again."""
    BROADCAST_CLIENT = "broadcast_client"
    """A watch or app started or stopped using the broadcast: replaced by the next one."""
    HR = "hr"
    """Heart-rate control news (the data came back): shown for a while."""
    HR_FALLBACK = "hr_fallback"
    """Heart rate lost or implausible: the step runs its pace target; over when it is back."""
    FOOTPOD = "footpod"
    """The footpod went quiet, read nonsense, or came back: shown for a while."""


@dataclass(frozen=True)
class Notice:
    """Something the runner should read: guided mode, a respected console change, ..."""

    t: float
    level: NoticeLevel
    message: str
    kind: NoticeKind = NoticeKind.GENERAL
    guided: GuidedCause | None = None
    """Set on the notice that announces guided mode: why treadpace stopped commanding."""


@dataclass(frozen=True)
class StepSummary:
    index: int
    name: str
    target_speed_kmh: float
    avg_speed_kmh: float
    distance_m: float
    elapsed_s: float
    skipped: bool
    hr_held_s: float = 0.0
    """Seconds in which a heart-rate rule held the speed below the plan's target."""
    avg_hr_bpm: int | None = None
    max_hr_bpm: int | None = None


@dataclass(frozen=True)
class RunFinished:
    t: float
    wall: float
    state: RunState
    """FINISHED or ABORTED."""
    reason: str
    distance_m: float
    elapsed_s: float
    steps: tuple[StepSummary, ...]
    guided_s: float = 0.0
    """Plan-clock seconds in guided mode (the runner set the belt, not treadpace)."""
    capped_s: float = 0.0
    """Plan-clock seconds the plan asked for more than the maximum speed allowed."""
    held_s: float = 0.0
    """Plan-clock seconds a console speed replaced the plan's target."""
    guided_cause: GuidedCause | None = None
    hr_zone_s: tuple[float, ...] = ()
    """Seconds below zone 1 and in zones 1-5 (empty without zones in the profile)."""
    end_cause: EndCause | None = None
    """Why the run ended (None: a journal from before causes were kept)."""
    true_distance_m: float | None = None
    """The distance the runner really ran (calibration or footpod), when known."""

    @property
    def departures(self) -> tuple[Departure, ...]:
        """How the run left the plan as written; empty when it ran the plan as planned."""
        out: list[Departure] = []
        if self.guided_cause is not None or self.guided_s > 0:
            out.append(Departure.GUIDED)
        if self.capped_s > 0:
            out.append(Departure.CAPPED)
        if self.held_s > 0:
            out.append(Departure.HELD)
        return tuple(out)

    def departure_seconds(self, kind: Departure) -> float:
        return {
            Departure.GUIDED: self.guided_s,
            Departure.CAPPED: self.capped_s,
            Departure.HELD: self.held_s,
        }[kind]


class CueKind(enum.StrEnum):
    """What a cue says (the text is rendered from the kind and the data, for people only)."""

    UPCOMING = "upcoming"
    """A change is `seconds` away: "Speeding up in 10 seconds: 5:16 per kilometre"."""
    COUNTDOWN = "countdown"
    """3, 2, 1 before a change."""
    CHANGE = "change"
    """The change happens now: the new step, its amount and target."""
    LAST_STEP = "last_step"
    """The last step begins: "Last step: 5 minutes at threshold"."""
    HALFWAY = "halfway"
    """Half the plan's planned time is done."""
    FINISH = "finish"
    """The plan ran to its end: "Run complete: 5.19 kilometres in 30 minutes"."""


class CueChange(enum.StrEnum):
    """Which way the target goes at the change a cue is about."""

    FASTER = "faster"
    SLOWER = "slower"
    STEEPER = "steeper"
    """Same speed, more incline."""
    FLATTER = "flatter"
    """Same speed, less incline."""
    END = "end"
    """The plan ends."""


@dataclass(frozen=True)
class Cue:
    """A spoken / shown cue before or at a change of target (see `treadpace.cues`)."""

    t: float
    kind: CueKind
    change: CueChange | None = None
    seconds: int = 0
    """UPCOMING / COUNTDOWN: seconds to the change."""
    step_index: int = -1
    """The step the cue is about (the one that begins at the change); -1 for none."""
    step_name: str = ""
    pace_label: str = ""
    step_kind: str = "time"
    step_amount: float = 0.0
    """Seconds or metres of that step."""
    speed_kmh: float = 0.0
    """The plan's target after the change (a ramp's start)."""
    end_speed_kmh: float | None = None
    """Set when that step is a speed ramp."""
    incline_percent: float = 0.0
    incline_changes: bool = False
    """The incline changes at this change too (say it, even when it goes back to 0 %)."""
    distance_m: float = 0.0
    """FINISH: the run's distance."""
    elapsed_s: float = 0.0
    """FINISH: the run's plan time."""
    imperial: bool = False
    """The runner's units, for rendering the text."""


EngineEvent = (
    RunStarted
    | StateChanged
    | StepStarted
    | StepFinished
    | SetpointSent
    | Tick
    | Notice
    | Cue
    | RunFinished
)
