"""What the machine's Machine Status notifications mean, decided without any I/O.

A status is the runner's hand on the console only when it is not the echo of our
own command (a speed, an incline, a Start or Stop sent within `ECHO_WINDOW_S`:
`echo.py`) and not a belt winding down after a stop. That judgement needs what we
sent and what the belt did, so it lives here as plain state: decoded data and the
time `now` go in, a typed `TreadmillUpdate` (or nothing) comes out. No clock, no
link, no tasks: `FtmsTreadmill` feeds it and pushes what it returns.
"""

from __future__ import annotations

import logging
from collections import deque

from treadpace.ftms import (
    InclinationRange,
    MachineStatus,
    SpeedRange,
    StatusControlLost,
    StatusReset,
    StatusSafetyKey,
    StatusStartedOrResumed,
    StatusStoppedOrPaused,
    StatusTargetIncline,
    StatusTargetSpeed,
    StopControl,
)
from treadpace.treadmill.echo import ECHO_WINDOW_S, Motion, OwnCommands
from treadpace.treadmill.port import (
    BeltStartedByUser,
    BeltStoppedByUser,
    ControlLost,
    MachineReset,
    SafetyKeyPulled,
    StopEchoed,
    TargetInclineChanged,
    TargetSpeedChanged,
    TreadmillUpdate,
)

log = logging.getLogger(__name__)

# Tolerance when comparing km/h values that travelled as 0.01 km/h integers.
_EPS = 0.005
_INCLINE_EPS = 0.05


def _echo(sent: deque[tuple[float, float]], value: float, eps: float, now: float) -> bool:
    return any(now - t <= ECHO_WINDOW_S and abs(value - v) <= eps for t, v in sent)


class StatusInterpreter:
    """Our recent commands and the belt's motion, and what a Machine Status means given them."""

    def __init__(self, speed_range: SpeedRange) -> None:
        self.speed_range = speed_range
        self.incline_range: InclinationRange | None = None
        self.last_speed_target: float | None = None
        self.last_incline_target: float | None = None
        self.belt_moving = False
        self.winding_down = False
        self.console_started = False
        self._rest_seen = False
        self._sent_speeds: deque[tuple[float, float]] = deque(maxlen=4)
        self._sent_inclines: deque[tuple[float, float]] = deque(maxlen=4)
        self._own = OwnCommands()

    # --- what we send --------------------------------------------------------------------

    def sent_speed(self, kmh: float, now: float) -> None:
        self.last_speed_target = kmh
        self._sent_speeds.append((now, kmh))

    def sent_incline(self, percent: float, now: float) -> None:
        self.last_incline_target = percent
        self._sent_inclines.append((now, percent))

    def sent_start(self, now: float) -> None:
        self._own.sent(Motion.START, now)

    def start_refusal_means_running(self) -> bool:
        """Operation Failed to a Start means "already running" (ftms.md §4.3) only when so.

        The belt must move (and not merely wind down after a stop), or the console
        said it started it; a standing or stopping belt that refuses has refused.
        """
        return (self.belt_moving and not self.winding_down) or self.console_started

    def started(self) -> None:
        self.winding_down = False

    def sent_stop(self, control: StopControl, now: float) -> None:
        self._wind_down()
        self.console_started = False
        self._own.sent(Motion.PAUSE if control == StopControl.PAUSE else Motion.STOP, now)

    def link_lost(self) -> None:
        self.console_started = False

    # --- what the machine says -----------------------------------------------------------

    def telemetry(self, speed_kmh: float) -> None:
        self.belt_moving = speed_kmh > 0
        if self.winding_down:
            # A belt that came to rest and moves again was restarted, even by a console
            # that sends no `04`: from here on a `05` may be the runner's hand again.
            if not self.belt_moving:
                self._rest_seen = True
            elif self._rest_seen:
                self.winding_down = False

    def status(self, status: MachineStatus, now: float) -> TreadmillUpdate | None:
        """The update a Machine Status stands for, or None (an echo, a ramp, garbage)."""
        if isinstance(status, StatusStoppedOrPaused):
            paused = status.control == StopControl.PAUSE
            self._wind_down()
            self.console_started = False
            if self._own.is_echo(Motion.PAUSE if paused else Motion.STOP, now):
                return StopEchoed(now, paused=paused)  # our own stop, not the runner's
            return BeltStoppedByUser(now, paused=paused)
        if isinstance(status, StatusSafetyKey):
            self._wind_down()
            self.console_started = False
            return SafetyKeyPulled(now)
        if isinstance(status, StatusStartedOrResumed):
            self.winding_down = False
            if self._own.is_echo(Motion.START, now):
                return None
            self.console_started = True
            return BeltStartedByUser(now)
        if isinstance(status, StatusTargetSpeed):
            return self._target_speed(status, now)
        if isinstance(status, StatusTargetIncline):
            return self._target_incline(status, now)
        if isinstance(status, StatusControlLost):
            return ControlLost(now)
        if isinstance(status, StatusReset):
            return MachineReset(now)
        log.debug("ignoring machine status %s", status)
        return None

    def _target_speed(self, status: StatusTargetSpeed, now: float) -> TreadmillUpdate | None:
        if not (self._is_console_speed(status.speed_kmh, now) and self._in_range(status)):
            return None
        self.last_speed_target = status.speed_kmh
        return TargetSpeedChanged(now, status.speed_kmh)

    def _target_incline(self, status: StatusTargetIncline, now: float) -> TreadmillUpdate | None:
        # While stopping, some consoles return incline to zero on their own (Omega Z).
        value = status.incline_percent
        last = self.last_incline_target
        if (
            self.winding_down
            or not self._in_range(status)
            or (last is not None and abs(value - last) <= _INCLINE_EPS)
            or _echo(self._sent_inclines, value, _INCLINE_EPS, now)
        ):
            return None
        self.last_incline_target = value
        return TargetInclineChanged(now, value)

    def _is_console_speed(self, kmh: float, now: float) -> bool:
        """A `05` is the runner's hand only if it is not our echo nor a belt winding down."""
        if self.winding_down or kmh < self.speed_range.min_kmh - _EPS:
            # Below the minimum no console key can set: a ramp towards standstill.
            return False
        last = self.last_speed_target
        if last is not None and abs(kmh - last) <= _EPS:
            return False
        return not _echo(self._sent_speeds, kmh, _EPS, now)

    def _in_range(self, status: StatusTargetSpeed | StatusTargetIncline) -> bool:
        """A target the machine cannot have (`05 ff ff` = 655.35 km/h) is garbage: skip it."""
        if isinstance(status, StatusTargetSpeed):
            value, rng = status.speed_kmh, self.speed_range
            ok = value <= rng.max_kmh + _EPS
        else:
            value, irng = status.incline_percent, self.incline_range
            lo_hi = None if irng is None else (irng.min_percent, irng.max_percent)
            ok = lo_hi is None or lo_hi[0] - _INCLINE_EPS <= value <= lo_hi[1] + _INCLINE_EPS
        if not ok:
            log.warning(
                "skipping a machine status target of %g: outside the machine's range", value
            )
        return ok

    def _wind_down(self) -> None:
        self.winding_down = True
        self._rest_seen = False
