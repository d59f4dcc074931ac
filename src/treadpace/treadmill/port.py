"""The Treadmill port: what the engine may ask of a treadmill, and what it hears back.

Two layers meet here:

- `GattLink` is the tiny GATT surface a transport must offer (connect, read,
  write, subscribe). `treadmill/ble.py` implements it with bleak, and
  `treadmill/sim.py` with the in-process simulator.
- `Treadmill` is what the engine talks to. `FtmsTreadmill` implements it once,
  on top of any `GattLink`: control-point request/response correlation,
  merging split Treadmill Data, mapping Machine Status to `MachineEvent`s.

UUIDs are full 128-bit lowercase strings, as bleak spells them.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from treadpace.ftms import Feature, InclinationRange, SpeedRange


class TreadmillError(Exception):
    """A treadmill operation failed (one line, shown to the runner)."""


class ControlRefused(TreadmillError):
    """The machine answered a control-point write with a failure result code."""

    def __init__(self, op: str, result: str) -> None:
        super().__init__(f"treadmill refused {op}: {result}")
        self.op = op
        self.result = result


class ControlTimeout(TreadmillError):
    """No response to a control-point write in time: the outcome is unknown."""


class NotConnected(TreadmillError):
    """The link is down."""


class AttError(TreadmillError):
    """An ATT Error Response from the machine: the request reached it and was refused there.

    The one type both links raise (bleak's and the simulator's), so a caller decides on the
    `code` (0x03 write not permitted, 0xFD CCCD not configured, 0x80 an application error...)
    whichever transport answered.
    """

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


# --- what the transport offers -------------------------------------------------------


NotifyCallback = Callable[[bytes], None]


class GattLink(Protocol):
    """A connection to one GATT server, reduced to what FTMS needs."""

    @property
    def name(self) -> str:
        """Human-readable identity, e.g. "simulator:generic" or "AA:BB:..:FF (Omega Z)"."""
        ...

    @property
    def is_connected(self) -> bool: ...

    async def connect(self) -> None: ...

    async def disconnect(self) -> None: ...

    def has_characteristic(self, uuid: str) -> bool:
        """Whether the connected server exposes this characteristic."""
        ...

    def can_indicate(self, uuid: str) -> bool:
        """Whether the characteristic declares indicate (else notify) - for the control point."""
        ...

    async def read(self, uuid: str) -> bytes: ...

    async def write(self, uuid: str, data: bytes, *, with_response: bool = True) -> None: ...

    async def subscribe(self, uuid: str, callback: NotifyCallback) -> None:
        """Enable notifications or indications (whichever the characteristic has)."""
        ...

    def on_disconnect(self, callback: Callable[[], None]) -> None:
        """Register a callback for an unrequested link loss."""
        ...


# --- what the engine hears ------------------------------------------------------------


class PodState(enum.StrEnum):
    """What the runner's footpod is saying (treadmill/footpod.py judges it)."""

    NONE = "none"
    """No footpod in this run."""
    LIVE = "live"
    """A fresh, plausible reading."""
    LOST = "lost"
    """No reading for a few seconds (off the shoe, out of range, link down)."""
    NONSENSE = "nonsense"
    """The pod reports a speed no runner runs."""


@dataclass(frozen=True)
class Telemetry:
    """One merged Treadmill Data record (plus heart rate from a strap, if any)."""

    t: float
    """Clock time when the speed-bearing packet arrived."""
    speed_kmh: float
    incline_percent: float | None = None
    distance_m: float | None = None
    """The machine's total distance since its session start, when it reports one."""
    elapsed_s: float | None = None
    heart_rate_bpm: int | None = None
    energy_kcal: float | None = None
    steps: int | None = None
    footpod: PodState = PodState.NONE
    """The runner's footpod, if the run has one: live, lost or talking nonsense."""
    footpod_kmh: float | None = None
    """The footpod's speed (the runner's true speed), only while it is live."""
    cadence_spm: int | None = None


@dataclass(frozen=True)
class BeltStartedByUser:
    t: float


@dataclass(frozen=True)
class BeltStoppedByUser:
    t: float
    paused: bool
    """True for a console pause, False for a console stop."""


@dataclass(frozen=True)
class StopEchoed:
    """The machine reported the stop or pause *we* asked for (its own status, not ours)."""

    t: float
    paused: bool


@dataclass(frozen=True)
class SafetyKeyPulled:
    t: float


@dataclass(frozen=True)
class TargetSpeedChanged:
    """The machine's target speed changed without our command (console keys)."""

    t: float
    speed_kmh: float


@dataclass(frozen=True)
class TargetInclineChanged:
    t: float
    incline_percent: float


@dataclass(frozen=True)
class ControlLost:
    t: float


@dataclass(frozen=True)
class ControlSilent:
    """A command of ours went unanswered: the control point may have fallen silent."""

    t: float
    op: str


@dataclass(frozen=True)
class MachineReset:
    t: float


@dataclass(frozen=True)
class TrainingStatusChanged:
    t: float
    status: int
    text: str | None = None


@dataclass(frozen=True)
class TelemetryStale:
    """No Treadmill Data for several seconds while the belt was moving."""

    t: float


@dataclass(frozen=True)
class LinkLost:
    t: float


@dataclass(frozen=True)
class LinkRestored:
    t: float


MachineEvent = (
    BeltStartedByUser
    | BeltStoppedByUser
    | StopEchoed
    | SafetyKeyPulled
    | TargetSpeedChanged
    | TargetInclineChanged
    | ControlLost
    | ControlSilent
    | MachineReset
    | TrainingStatusChanged
    | TelemetryStale
    | LinkLost
    | LinkRestored
)

TreadmillUpdate = Telemetry | MachineEvent


# --- what the engine may ask ------------------------------------------------------------


class Treadmill(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def features(self) -> Feature | None: ...

    @property
    def speed_range(self) -> SpeedRange: ...

    @property
    def incline_range(self) -> InclinationRange | None:
        """None when the machine cannot set incline."""
        ...

    @property
    def has_control(self) -> bool: ...

    @property
    def controllable(self) -> bool:
        """False for a read-only machine (no control point): guided mode only."""
        ...

    async def connect(self) -> None:
        """Connect, read features and ranges, subscribe. Never moves the belt."""
        ...

    async def disconnect(self) -> None: ...

    async def request_control(self) -> bool:
        """True when control was granted."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def pause(self) -> None: ...

    async def set_speed(self, kmh: float) -> None: ...

    async def set_incline(self, percent: float) -> None: ...

    def updates(self) -> AsyncIterator[TreadmillUpdate]:
        """Telemetry and machine events, in arrival order, for as long as connected."""
        ...
