"""A hypothesis state machine that plays the engine core's driver and the whole world.

Each sequence draws a world (`engine_world.worlds`: plan, profile, machine), then
feeds the core what a run can bring, in any order: telemetry (the belt doing what
it was told, and garbage the port lets through), every machine event, every
runner command from the terminal and from away, a Start on a console that says
nothing, time passing (jumps and the core's own wake-ups), any answer to the
write in flight, aborts, the end of the treadmill's updates, the driver leaving
and the answer to the final stop, and the port's word on control flipping.
`engine_checks.SafetyChecks` checks every action that comes back against the
safety rules.

Each rule draws exactly one value from a prepared pool: a draw is what costs when
10,000 sequences run, and one draw per step keeps the default run fast.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from itertools import product

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from tests.engine_checks import ABORT_CAUSES, ANSWERS, SafetyChecks
from tests.engine_world import World, worlds
from treadpace.engine.causes import EndCause
from treadpace.engine.events import Command
from treadpace.engine.gate import CommandSource
from treadpace.engine.messages import Abort, Answer, UpdatesEnded
from treadpace.treadmill.port import (
    BeltStartedByUser,
    BeltStoppedByUser,
    ControlLost,
    ControlSilent,
    LinkLost,
    LinkRestored,
    MachineReset,
    SafetyKeyPulled,
    StopEchoed,
    TargetInclineChanged,
    TargetSpeedChanged,
    Telemetry,
    TelemetryStale,
    TrainingStatusChanged,
    TreadmillUpdate,
)

Event = Callable[[float], TreadmillUpdate]
"""A machine event, made at the time it happens."""

_STOPS: tuple[Event, ...] = (
    lambda t: BeltStoppedByUser(t, paused=False),
    lambda t: BeltStoppedByUser(t, paused=True),
    SafetyKeyPulled,
)
_EVENTS: tuple[Event, ...] = (
    *_STOPS * 3,  # what safety rule 3 is about, so not rare
    BeltStartedByUser,
    BeltStartedByUser,
    ControlLost,
    MachineReset,
    lambda t: ControlSilent(t, "set_speed"),
    LinkLost,
    LinkRestored,
    TelemetryStale,
    lambda t: StopEchoed(t, paused=True),
    lambda t: TrainingStatusChanged(t, 1),
    *(lambda t, p=p: TargetInclineChanged(t, p) for p in (-3.0, 0.0, 4.5, 30.0)),
)

_rng = random.Random(13)
_GARBAGE = (
    (0.0, 0.0, None),
    (655.35, float(2**24 - 1), 3276.7),
    (0.01, 5.0, -3276.8),
    *(
        (_rng.randrange(65536) / 100, float(_rng.randrange(2**24)), _rng.randrange(-500, 500) / 10)
        for _ in range(5)
    ),
)
"""(km/h, machine metres, incline %): what a Treadmill Data decoder can let through."""

_CONSOLE_KMH = (0.0, 0.44, 2.5, 5.5, 8.64, 10.0, 12.35, 14.48, 16.09, 19.3, 22.0, 25.99)

TREADMILL: tuple[tuple[str, object], ...] = (
    # The driver answers a write in a fraction of a second: the next packet mostly finds
    # it answered ("telemetry"), sometimes still in flight ("telemetry racing").
    *(("telemetry", dt) for dt in (0.5, 1.0, 1.0, 1.0, 2.5, 2.5, 10.0) * 3),
    *(("telemetry racing", dt) for dt in (0.5, 1.0, 2.5)),
    *(("garbage", reading) for reading in _GARBAGE),
    *(("event", event) for event in _EVENTS),
    *(("console speed", kmh) for kmh in _CONSOLE_KMH * 2),
    ("console echo", None),
    ("console echo", None),
    ("console restart", None),  # a Start on a console that sends no `04`
    ("console restart", None),
)
"""What the treadmill says: telemetry most of all (it is what moves the plan along)."""

COMMANDS = (
    *product(Command, CommandSource, (None,)),
    *product((Command.START, Command.RESUME, Command.PAUSE) * 2, CommandSource, (None,)),
    *product((Command.NUDGE_UP, Command.NUDGE_DOWN), CommandSource, (0.3,)),
    *product((Command.EXTEND,), CommandSource, (30.0,)),
)
"""Every command from either side (the ones that start and stop the belt more often),
nudges and extensions also with a size."""

DRIVER = (
    *(("answer", a) for a in ANSWERS * 2),
    *(("wake up", None),) * 4,
    *(("time passes", dt) for dt in (1.0, 5.0, 30.0, 120.0, 600.0)),
    ("control flips", None),
    *(("stop answered", True),) * 3,
    *(("stop answered", False),) * 3,
    ("leave", None),
    ("updates end", None),
    ("updates fail", None),
    *(("abort", cause) for cause in ABORT_CAUSES[:2]),  # the runner's stop, a signal
)
"""What the driver and the clock do, with the answers weighted towards a working machine."""


PRELUDES = (0, 1, 1, 2, 3, 4, 4, 4, 4, 4)
"""How far along the usual start each sequence begins (see `EngineRules.connect`)."""


class EngineRules(RuleBasedStateMachine):
    run: SafetyChecks

    @initialize(world=worlds(), prelude=st.sampled_from(PRELUDES))
    def connect(self, world: World, prelude: int) -> None:
        """Connect, then (mostly) start the run as a runner would, so the steps explore it.

        `prelude` is how far along the usual start to go first: 1 the machine grants
        control, 2 the runner presses start, 3 the countdown runs out and Start is taken,
        4 the first speed is taken and the belt reports it.
        """
        run = self.run = SafetyChecks(world)
        if prelude >= 1:
            run.answer(Answer.TAKEN)
        if prelude >= 2:
            run.command(Command.START, CommandSource.LOCAL, None)
        if prelude >= 3:
            for _ in range(world.config.countdown_s + 1):
                run.wake_up()
            run.answer(Answer.TAKEN)
        if prelude >= 4:
            run.answer(Answer.TAKEN)
            run.telemetry(1.0)

    def teardown(self) -> None:
        if hasattr(self, "run"):
            self.run.end_of_run()

    @rule(said=st.sampled_from(TREADMILL))
    def treadmill(self, said: tuple[str, object]) -> None:
        run, (what, arg) = self.run, said
        if what.startswith("telemetry"):
            assert isinstance(arg, float)
            if what == "telemetry":
                run.answer(Answer.TAKEN)
            run.telemetry(arg)
        elif what == "garbage":
            assert isinstance(arg, tuple)
            kmh, metres, incline = arg
            run.treadmill(Telemetry(run.now, kmh, incline, metres, heart_rate_bpm=0))
        elif what == "event":
            assert callable(arg)
            run.treadmill(arg(run.now))
        elif what == "console speed":
            assert isinstance(arg, float)
            run.treadmill(TargetSpeedChanged(run.now, arg))
        elif what == "console restart":
            run.console_restart()
        elif run.last_sent is not None:  # the machine echoes our latest speed
            run.treadmill(TargetSpeedChanged(run.now, run.last_sent))

    @rule(order=st.sampled_from(COMMANDS))
    def runner(self, order: tuple[Command, CommandSource, float | None]) -> None:
        self.run.command(*order)

    @rule(move=st.sampled_from(DRIVER))
    def driver(self, move: tuple[str, object]) -> None:
        run, (what, arg) = self.run, move
        if what == "answer":
            assert isinstance(arg, Answer)
            run.answer(arg)
        elif what == "wake up":
            run.wake_up()
        elif what == "time passes":
            assert isinstance(arg, float)
            run.time_passes(arg)
        elif what == "control flips":
            run.control = not run.control
        elif what == "stop answered":
            run.stop_answered(bool(arg))
        elif what == "leave":
            run.leave()
        elif what == "abort":
            assert isinstance(arg, EndCause)
            run.feed(Abort("interrupted", arg))
        else:
            run.feed(UpdatesEnded("reader failed" if what == "updates fail" else None))
