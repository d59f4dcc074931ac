"""What a run session is given, and what it hands back: both plain, typed values.

The setup names the parts the CLI built (the plan, the profile, the clock, the
treadmill link, the simulator's console) and the run's options. The outcome is
everything the CLI needs to report the run and pick its exit code, without
reaching into the engine or the recorder afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from treadpace.base.clock import Clock
    from treadpace.base.listen import Listen
    from treadpace.engine import RunFinished
    from treadpace.engine.gate import CommandPath
    from treadpace.engine.hub import Subscription
    from treadpace.plans.profile import Profile
    from treadpace.plans.steps import CompiledPlan
    from treadpace.session.signals import LateSignals
    from treadpace.treadmill.footpod import FootpodSource
    from treadpace.treadmill.port import GattLink


class Simulator(Protocol):
    """The software treadmill's lifetime, as far as the session owns it."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...


ConsoleRunner = Callable[["Subscription"], Coroutine[Any, Any, None]]
"""Reads the run's events the way a runner at the machine reads its screen."""

PageFollower = Callable[["CommandPath", "Subscription"], Coroutine[Any, Any, None]]
"""A page server that outlives the run (`serve`): given the engine's command path and events."""


@dataclass(frozen=True)
class SessionSetup:
    compiled: CompiledPlan
    profile: Profile
    clock: Clock
    link: GattLink
    sim: Simulator | None = None
    """Started before the engine connects and closed last; None on a real treadmill."""
    console_keys: dict[str, Callable[[], None]] = field(default_factory=dict)
    console_help: str = ""
    console_runner: ConsoleRunner | None = None
    yes: bool = False
    """No countdown before the belt starts."""
    remote_start: bool = False
    """Wait for a start over MQTT (or the page) instead of starting at once."""
    record: bool = True
    web: Listen | None = None
    page: PageFollower | None = None
    """`serve`'s page follows this run (its server is not the session's to open or close)."""
    quiet: bool = False
    interactive_in: bool = False
    """Keys are read from the terminal."""
    interactive_out: bool = False
    """The live view is drawn; otherwise one plain line per event."""
    install_signals: bool = True
    footpod: FootpodSource | None = None
    """The runner's footpod (a pinned Bluetooth pod, or the simulator's), if any."""
    machine: str | None = None
    """The treadmill's identity (`simulator:MODEL` or its address): picks its calibration."""
    late_signals: LateSignals | None = None
    """Takes the exit signals over once the engine is done (`signals.LateSignals`)."""


@dataclass(frozen=True)
class RunOutcome:
    result: RunFinished | None
    """How the engine ended the run; None when it never got that far."""
    belt_stop_confirmed: bool
    """False only when treadpace started the belt and never saw it stop."""
    recording_complete: bool
    """False when the journal stopped short of the run (a write failed)."""
    journal: Path | None = None
    exports: tuple[Path, ...] = ()
    export_error: str = ""
    signal: int | None = None
    """The first signal that ended the run, if one did."""
    stop_requested: bool = False
    """The runner asked to stop at the keys (`q`, then `y`)."""
    failure: str = ""
    """Why the run ended otherwise (treadmill gone, an error), for the runner."""
    refused: str = ""
    """The profile does not fit this treadmill: nothing moved (bad input)."""
    nothing_recorded: str = ""
    """Why no journal was written, when none was."""
