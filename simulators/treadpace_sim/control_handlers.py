"""The software treadmill's Control Point: one handler per request type (ftms.md §4).

`FtmsServer.write` does the ATT-level checks and frames the `80` response; this
module decides each request's result. The requests are `treadpace.ftms` request
dataclasses and the table below maps each implemented type to its handler, so an op
the table does not list is answered Op Code Not Supported without special cases.
Quirky models (model.py) bend only the rules written here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from treadpace.ftms import (
    ControlOp,
    FtmsDecodeError,
    MachineStatus,
    RequestControl,
    Reset,
    ResultCode,
    SetTargetInclination,
    SetTargetSpeed,
    StartOrResume,
    StatusReset,
    StatusStartedOrResumed,
    StatusStoppedOrPaused,
    StatusTargetIncline,
    StatusTargetSpeed,
    StopControl,
    StopOrPause,
    UnknownRequest,
    decode_control_request,
)
from treadpace_sim.belt import Belt
from treadpace_sim.model import TreadmillModel
from treadpace_sim.outgoing import Outgoing
from treadpace_sim.total_distance import MachineOdometer

Record = dict[str, object]
StatusFn = Callable[..., Outgoing]
"""The server's Machine Status builder: `(status, *, exclude=None, client=None)`."""

# The table routes by request type, so each handler receives exactly the type it is
# listed under; Any stands for "the key's type", which a dict cannot express.
Handler = Callable[[int, Any, Record, list[Outgoing]], ResultCode | None]

# ops a client may write without holding control
_FREE_OPS: Final = frozenset({ControlOp.REQUEST_CONTROL})


class ControlPoint:
    """Who holds control, and what each request does to the belt."""

    def __init__(
        self, model: TreadmillModel, belt: Belt, odometer: MachineOdometer, status: StatusFn
    ) -> None:
        self.model = model
        self.belt = belt
        self.odometer = odometer
        self.controller: int | None = None
        self._status = status
        self._speed_raw = model.wire_speed_range()
        self._incline_raw = model.wire_incline_range()
        self._handlers: Final[dict[type[Any], Handler]] = {
            RequestControl: self._request_control,
            Reset: self._reset,
            SetTargetSpeed: self._set_target_speed,
            SetTargetInclination: self._set_target_inclination,
            StartOrResume: self._start_or_resume,
            StopOrPause: self._stop_or_pause,
        }
        self._ops: Final = frozenset(cls.OP for cls in self._handlers)

    def implements(self, op: int) -> bool:
        """Whether this model answers `op` at all (else Op Code Not Supported)."""
        m = self.model
        if op == ControlOp.SET_TARGET_SPEED:
            return m.speed_target != "absent"
        if op == ControlOp.SET_TARGET_INCLINATION:
            return (m.belt.has_incline and m.incline_target != "absent") or m.incline_range_zeros
        return op in self._ops

    def execute(
        self, client: int, data: bytes, record: Record, out: list[Outgoing]
    ) -> ResultCode | None:
        """The result of one write (None: the model answers nothing); `out` gets statuses."""
        op = data[0]
        try:
            request = decode_control_request(data)
        except FtmsDecodeError as exc:
            # the op is not supported, then not permitted, before its parameter is judged
            if not self.implements(op):
                return ResultCode.OP_CODE_NOT_SUPPORTED
            if self.controller != client:
                return ResultCode.CONTROL_NOT_PERMITTED
            record["error"] = str(exc)
            return ResultCode.INVALID_PARAMETER
        handler = None if isinstance(request, UnknownRequest) else self._handlers.get(type(request))
        if handler is None or not self.implements(op):
            return ResultCode.OP_CODE_NOT_SUPPORTED
        if op not in _FREE_OPS and self.controller != client:
            return ResultCode.CONTROL_NOT_PERMITTED
        return handler(client, request, record, out)

    # --- handlers, one per request type ------------------------------------------------

    def _request_control(
        self, client: int, request: RequestControl, record: Record, out: list[Outgoing]
    ) -> ResultCode | None:
        m = self.model
        if m.request_control == "refuse":
            return ResultCode.CONTROL_NOT_PERMITTED
        if self.controller is not None and self.controller != client:
            return ResultCode.CONTROL_NOT_PERMITTED
        self.controller = client
        return None if m.request_control == "silent" else ResultCode.SUCCESS

    def _reset(
        self, client: int, request: Reset, record: Record, out: list[Outgoing]
    ) -> ResultCode:
        self.odometer.before_reset(self.belt)
        self.belt.reset()
        self.controller = None
        out.append(self._status(StatusReset(), exclude=client))
        return ResultCode.SUCCESS

    def _set_target_speed(
        self, client: int, request: SetTargetSpeed, record: Record, out: list[Outgoing]
    ) -> ResultCode:
        m = self.model
        raw = round(request.speed_kmh * 100)
        record["speed_kmh"] = request.speed_kmh
        lo, hi, inc = self._speed_raw
        if not lo <= raw <= hi:
            return ResultCode.INVALID_PARAMETER
        kmh = m.from_wire_speed(raw / 100)
        if (raw - lo) % inc and m.off_increment == "reject":
            return ResultCode.INVALID_PARAMETER
        if m.off_increment == "round" or m.speed_unit == "mph":
            kmh = m.snap_speed(kmh)
        if m.targets_while_stopped == "fail" and not self.belt.moving:
            return ResultCode.OPERATION_FAILED
        if m.speed_target == "accept":
            self.belt.set_target_speed(kmh)
            out.append(self._status(self.speed_status(kmh), exclude=client))
        return ResultCode.SUCCESS

    def _set_target_inclination(
        self, client: int, request: SetTargetInclination, record: Record, out: list[Outgoing]
    ) -> ResultCode:
        m = self.model
        raw = round(request.incline_percent * 10)
        record["incline_percent"] = request.incline_percent
        if m.incline_target == "fail":
            return ResultCode.OPERATION_FAILED
        if m.incline_range_zeros:
            return ResultCode.SUCCESS  # acknowledged; there is nothing to tilt
        lo, hi, inc = self._incline_raw
        if not lo <= raw <= hi:
            return ResultCode.INVALID_PARAMETER
        pct = raw / 10
        if (raw - lo) % inc:
            if m.off_increment == "reject":
                return ResultCode.INVALID_PARAMETER
            pct = m.snap_incline(pct)
        if m.targets_while_stopped == "fail" and not self.belt.moving:
            return ResultCode.OPERATION_FAILED
        if m.incline_target == "accept":
            self.belt.set_target_incline(pct)
            out.append(self._status(StatusTargetIncline(pct), exclude=client))
        return ResultCode.SUCCESS

    def _start_or_resume(
        self, client: int, request: StartOrResume, record: Record, out: list[Outgoing]
    ) -> ResultCode:
        if not self.belt.start():
            return ResultCode.OPERATION_FAILED
        out.append(self._status(StatusStartedOrResumed(), exclude=client))
        return ResultCode.SUCCESS

    def _stop_or_pause(
        self, client: int, request: StopOrPause, record: Record, out: list[Outgoing]
    ) -> ResultCode:
        try:
            control = StopControl(request.control)
        except ValueError:
            record["control"] = request.control
            return ResultCode.INVALID_PARAMETER
        record["control"] = control.name.lower()
        done = self.belt.stop() if control is StopControl.STOP else self.belt.pause()
        if not done:
            return ResultCode.OPERATION_FAILED
        out.append(self._status(StatusStoppedOrPaused(int(control)), exclude=client))
        return ResultCode.SUCCESS

    def speed_status(self, kmh: float) -> MachineStatus:
        """Target Speed Changed for `kmh`, in the unit the machine puts on the wire."""
        return StatusTargetSpeed(round(self.model.to_wire_speed(kmh) * 100) / 100)
