"""The FTMS server state machine of the software treadmill: bytes in, messages out.

Sans-I/O (ftms.md §4-§5): `write()` takes the octets a client wrote to the Control
Point and returns what the server sends back (the `80` response and any Machine
Status / Training Status notifications), or raises `AttError` (0xFD, 0xFE) exactly
where the ATT layer would. `tick(dt)` moves the belt; `telemetry()` builds the
Treadmill Data notification(s); the `press_*` methods are the console. Nothing here
knows about time, asyncio or transports: `SimulatedTreadmill` (in-process) and the
BlueZ front end deliver the `Outgoing` messages and report indication confirmations.

Rules implemented for the strict (generic) model:

- Every op but Request Control needs control; without it: `80 op 05`.
- Reserved or unimplemented ops: `80 op 02`, checked before control (C11, C31, C32).
- A parameter of the wrong length, or a value outside the Supported Range or off its
  increment grid: `80 op 03`. Stop/Pause with a reserved control byte: `80 08 03`.
- Start while started, Stop/Pause while stopped, Start with the safety key out: `80 op 04`.
- One response per write. While an indicated response awaits confirmation, another
  write gets ATT 0xFE; with the Control Point CCCD not enabled, ATT 0xFD.
- Reset releases control; so does disconnecting. Control Permission Lost (`FF`) goes
  only to the client that lost it.
- Status echo (§4.3, §4.17.1): a client's own commands produce Machine Status only
  for the *other* connected clients; console actions notify everyone. (`status_echo`
  models tell the sender too, as most real machines do.)
- Training Status: Idle at power-up and after Reset, Manual Mode once the belt is
  started, Post-Workout when it has come to a stop.

Quirky models (model.py, ftms.md §8) bend exactly these rules and nothing else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

from ftms_sim.belt import Belt, BeltState
from ftms_sim.errors import (
    ATT_ATTRIBUTE_NOT_FOUND,
    ATT_CCCD_IMPROPERLY_CONFIGURED,
    ATT_INVALID_LENGTH,
    ATT_PROCEDURE_IN_PROGRESS,
    ATT_READ_NOT_PERMITTED,
    ATT_WRITE_NOT_PERMITTED,
    AttError,
)
from ftms_sim.model import TreadmillModel
from ftms_sim.odometer import MachineOdometer
from treadpace.ftms import (
    CONTROL_POINT,
    DEVICE_INFORMATION,
    FEATURE,
    FIRMWARE_REVISION,
    FTMS_SERVICE,
    HEART_RATE_MEASUREMENT,
    HEART_RATE_SERVICE,
    INCLINATION_RANGE,
    MACHINE_STATUS,
    MANUFACTURER_NAME,
    MODEL_NUMBER,
    SPEED_RANGE,
    TRAINING_STATUS,
    TREADMILL_DATA,
    ControlOp,
    ControlResponse,
    Feature,
    FtmsDecodeError,
    HeartRateMeasurement,
    InclinationRange,
    MachineFeature,
    MachineStatus,
    RequestControl,
    Reset,
    ResultCode,
    SetTargetInclination,
    SetTargetSpeed,
    SpeedRange,
    StartOrResume,
    StatusControlLost,
    StatusReset,
    StatusSafetyKey,
    StatusStartedOrResumed,
    StatusStoppedOrPaused,
    StatusTargetIncline,
    StatusTargetSpeed,
    StopOrPause,
    TargetFeature,
    TrainingStatus,
    TrainingStatusCode,
    TreadmillData,
    UnknownRequest,
    decode_control_request,
    encode_control_response,
    encode_feature,
    encode_heart_rate,
    encode_inclination_range,
    encode_machine_status,
    encode_speed_range,
    encode_training_status,
    encode_treadmill_data,
    split_treadmill_data,
)

NOTIFY: Final = 1
INDICATE: Final = 2

_RESULT_NAMES: Final = {
    ResultCode.SUCCESS: "success",
    ResultCode.OP_CODE_NOT_SUPPORTED: "op_code_not_supported",
    ResultCode.INVALID_PARAMETER: "invalid_parameter",
    ResultCode.OPERATION_FAILED: "operation_failed",
    ResultCode.CONTROL_NOT_PERMITTED: "control_not_permitted",
}

_SERVICE_OF: Final = {
    FEATURE: FTMS_SERVICE,
    TREADMILL_DATA: FTMS_SERVICE,
    TRAINING_STATUS: FTMS_SERVICE,
    SPEED_RANGE: FTMS_SERVICE,
    INCLINATION_RANGE: FTMS_SERVICE,
    CONTROL_POINT: FTMS_SERVICE,
    MACHINE_STATUS: FTMS_SERVICE,
    MANUFACTURER_NAME: DEVICE_INFORMATION,
    MODEL_NUMBER: DEVICE_INFORMATION,
    FIRMWARE_REVISION: DEVICE_INFORMATION,
    HEART_RATE_MEASUREMENT: HEART_RATE_SERVICE,
}

_IDLE: Final = int(TrainingStatusCode.IDLE)
_MANUAL: Final = int(TrainingStatusCode.MANUAL_MODE)
_POST: Final = int(TrainingStatusCode.POST_WORKOUT)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One notification or indication for the front end to deliver.

    `client` set: only that client (responses, Control Permission Lost).
    `exclude` set: every connected client except that one (status echo rule).
    Neither: every connected client that enabled the characteristic.
    """

    uuid: str
    data: bytes
    indicate: bool = False
    client: int | None = None
    exclude: int | None = None


@dataclass(slots=True)
class WriteResult:
    out: list[Outgoing]
    record: dict[str, object]
    """The command-log entry: op name, parameters, result."""


def op_name(op: int) -> str:
    try:
        return ControlOp(op).name.lower()
    except ValueError:
        return f"op_0x{op:02x}"


class FtmsServer:
    """One treadmill's GATT server logic for any number of clients (ids are ints)."""

    def __init__(self, model: TreadmillModel, belt: Belt | None = None) -> None:
        self.model = model
        self.belt = belt if belt is not None else Belt(model.belt)
        self.odometer = MachineOdometer(model.odometer_start_m, model.odometer_resets)
        self.controller: int | None = None
        self.training = _IDLE
        self.silent = False
        """Fault: Control Point writes accepted but neither acted on nor answered."""
        self._clients: dict[int, dict[str, int]] = {}
        self._pending: set[int] = set()
        machine, target = model.feature_bits()
        self._feature = encode_feature(Feature(MachineFeature(machine), TargetFeature(target)))
        lo, hi, inc = model.wire_speed_range()
        self._speed_raw = (lo, hi, inc)
        self._speed_range = encode_speed_range(SpeedRange(lo / 100, hi / 100, inc / 100))
        ilo, ihi, iinc = model.wire_incline_range()
        self._incline_raw = (ilo, ihi, iinc)
        self._incline_range = encode_inclination_range(
            InclinationRange(ilo / 10, ihi / 10, iinc / 10)
        )
        self._fields = frozenset(model.telemetry_fields)
        self._cp_kind = {"indicate": INDICATE, "notify": NOTIFY}.get(model.control_point, 0)
        self._indicate_responses = model.responses_as == "indicate" and self._cp_kind == INDICATE
        self._last_status_speed: int | None = None
        self._chars = self._characteristics()

    # --- GATT surface -------------------------------------------------------------

    def characteristics(self) -> dict[str, frozenset[str]]:
        """UUID -> properties ("read", "write", "notify", "indicate")."""
        return dict(self._chars)

    def services(self) -> dict[str, list[str]]:
        """Service UUID -> its characteristics, in a stable order (for a GATT front end)."""
        out: dict[str, list[str]] = {}
        for uuid in self._chars:
            out.setdefault(_SERVICE_OF[uuid], []).append(uuid)
        return out

    def advertisement(self) -> tuple[str | None, list[str], dict[str, bytes]]:
        """(local name, service UUIDs, service data) as the machine advertises (ftms.md §1.2).

        Service data for 0x1826: flags 0x01 (machine available), type 0x0001 (treadmill).
        """
        name = self.model.local_name or None
        uuids = [FTMS_SERVICE] + ([HEART_RATE_SERVICE] if self.model.heart_rate_service else [])
        return name, uuids, {FTMS_SERVICE: bytes([0x01, 0x01, 0x00])}

    def _characteristics(self) -> dict[str, frozenset[str]]:
        m = self.model
        chars: dict[str, frozenset[str]] = {
            FEATURE: frozenset({"read"}),
            TREADMILL_DATA: frozenset({"notify"}),
            MANUFACTURER_NAME: frozenset({"read"}),
            MODEL_NUMBER: frozenset({"read"}),
            FIRMWARE_REVISION: frozenset({"read"}),
        }
        if m.training_status:
            chars[TRAINING_STATUS] = frozenset({"read", "notify"})
        if m.heart_rate_service:
            chars[HEART_RATE_MEASUREMENT] = frozenset({"notify"})
        if m.has_control_point:
            chars[CONTROL_POINT] = frozenset({"write", m.control_point})
            chars[MACHINE_STATUS] = frozenset({"notify"})
            if m.speed_target != "absent":
                chars[SPEED_RANGE] = frozenset({"read"})
            if (m.belt.has_incline and m.incline_target != "absent") or m.incline_range_zeros:
                chars[INCLINATION_RANGE] = frozenset({"read"})
        return chars

    def read(self, uuid: str) -> bytes:
        chars = self._chars
        if uuid not in chars:
            raise AttError(ATT_ATTRIBUTE_NOT_FOUND, uuid)
        if "read" not in chars[uuid]:
            raise AttError(ATT_READ_NOT_PERMITTED, uuid)
        m = self.model
        if uuid == FEATURE:
            return self._feature
        if uuid == SPEED_RANGE:
            return self._speed_range
        if uuid == INCLINATION_RANGE:
            return self._incline_range
        if uuid == TRAINING_STATUS:
            return encode_training_status(TrainingStatus(self.training))
        if uuid == MANUFACTURER_NAME:
            return m.manufacturer.encode()
        if uuid == MODEL_NUMBER:
            return m.model_number.encode()
        return m.firmware.encode()

    def connect(self, client: int = 0) -> None:
        self._clients[client] = {}

    def disconnect(self, client: int = 0) -> list[Outgoing]:
        """The client is gone: its subscriptions and its control go with it."""
        self._clients.pop(client, None)
        self._pending.discard(client)
        if self.controller == client:
            self.controller = None
        if self.model.stop_on_disconnect and not self._clients:
            self.belt.stop()
            return self._sync()
        return []

    @property
    def clients(self) -> list[int]:
        return list(self._clients)

    def set_cccd(self, client: int, uuid: str, value: int) -> list[Outgoing]:
        """A client wrote the CCCD of `uuid`: 0 off, 1 notify, 2 indicate.

        Enabling Training Status notifies its current value to that client at once, so a
        client learns the phase without a read (the §9.11 session starts that way).
        """
        subs = self._clients.get(client)
        if subs is None:
            return []
        if not value:
            subs.pop(uuid, None)
            return []
        fresh = uuid not in subs
        subs[uuid] = value
        if fresh and uuid == TRAINING_STATUS and self.model.training_status:
            data = encode_training_status(TrainingStatus(self.training))
            return [Outgoing(TRAINING_STATUS, data, client=client)]
        return []

    def wants(self, client: int, uuid: str) -> bool:
        """Whether `client` receives notifications of `uuid` (CCCD set, or a sloppy model)."""
        subs = self._clients.get(client)
        if subs is None:
            return False
        return uuid in subs or self.model.notify_before_subscribe

    def indication_confirmed(self, client: int) -> None:
        """The client confirmed the response indication: its procedure is over."""
        self._pending.discard(client)

    def pending(self, client: int) -> bool:
        return client in self._pending

    # --- control point ----------------------------------------------------------------

    def write(self, client: int, uuid: str, data: bytes) -> WriteResult:
        """A Write Request from `client`. Raises AttError where ATT would answer an error."""
        if uuid != CONTROL_POINT or uuid not in self._chars:
            code = ATT_WRITE_NOT_PERMITTED if uuid in self._chars else ATT_ATTRIBUTE_NOT_FOUND
            raise AttError(code, uuid)
        if client in self._pending:
            raise AttError(ATT_PROCEDURE_IN_PROGRESS)
        subs = self._clients.get(client, {})
        if not subs.get(CONTROL_POINT, 0) & self._cp_kind:
            raise AttError(ATT_CCCD_IMPROPERLY_CONFIGURED)
        if not data:
            raise AttError(ATT_INVALID_LENGTH)
        op = data[0]
        record: dict[str, object] = {"event": "command", "op": op_name(op)}
        if self.silent:
            record["result"] = "no_response"
            return WriteResult([], record)
        out: list[Outgoing] = []
        result = self._execute(client, op, data, record, out)
        if result is None:
            record["result"] = "no_response"
            out.extend(self._sync())
            return WriteResult(out, record)
        record["result"] = _RESULT_NAMES.get(ResultCode(result), str(result))
        response = encode_control_response(ControlResponse(op, result))
        first = [
            Outgoing(CONTROL_POINT, response, self._indicate_responses, client)
            for _ in range(self.model.response_copies)
        ]
        if self._indicate_responses:
            self._pending.add(client)
        # the response first: the client learns its outcome before any consequence
        return WriteResult(first + out + self._sync(), record)

    def _execute(
        self, client: int, op: int, data: bytes, record: dict[str, object], out: list[Outgoing]
    ) -> int | None:
        m = self.model
        try:
            request = decode_control_request(data)
        except FtmsDecodeError as exc:
            if not self._implements(op):
                return ResultCode.OP_CODE_NOT_SUPPORTED
            if self.controller != client:
                return ResultCode.CONTROL_NOT_PERMITTED
            record["error"] = str(exc)
            return ResultCode.INVALID_PARAMETER
        if isinstance(request, UnknownRequest) or not self._implements(op):
            return ResultCode.OP_CODE_NOT_SUPPORTED

        if isinstance(request, RequestControl):
            if m.request_control == "refuse":
                return ResultCode.CONTROL_NOT_PERMITTED
            if self.controller is not None and self.controller != client:
                return ResultCode.CONTROL_NOT_PERMITTED
            self.controller = client
            return None if m.request_control == "silent" else ResultCode.SUCCESS

        if self.controller != client:
            return ResultCode.CONTROL_NOT_PERMITTED
        belt = self.belt

        if isinstance(request, Reset):
            self.odometer.before_reset(belt)
            belt.reset()
            self.controller = None
            out.append(self._status(StatusReset(), exclude=client))
            return ResultCode.SUCCESS

        if isinstance(request, SetTargetSpeed):
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
            if m.targets_while_stopped == "fail" and not belt.moving:
                return ResultCode.OPERATION_FAILED
            if m.speed_target == "accept":
                belt.set_target_speed(kmh)
                out.append(self._status(self._speed_status(kmh), exclude=client))
            return ResultCode.SUCCESS

        if isinstance(request, SetTargetInclination):
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
            if m.targets_while_stopped == "fail" and not belt.moving:
                return ResultCode.OPERATION_FAILED
            if m.incline_target == "accept":
                belt.set_target_incline(pct)
                out.append(self._status(StatusTargetIncline(pct), exclude=client))
            return ResultCode.SUCCESS

        if isinstance(request, StartOrResume):
            if not belt.start():
                return ResultCode.OPERATION_FAILED
            out.append(self._status(StatusStartedOrResumed(), exclude=client))
            return ResultCode.SUCCESS

        if isinstance(request, StopOrPause):
            record["control"] = {1: "stop", 2: "pause"}.get(request.control, request.control)
            if request.control == 1:
                done = belt.stop()
            elif request.control == 2:
                done = belt.pause()
            else:
                return ResultCode.INVALID_PARAMETER
            if not done:
                return ResultCode.OPERATION_FAILED
            out.append(self._status(StatusStoppedOrPaused(request.control), exclude=client))
            return ResultCode.SUCCESS
        return ResultCode.OP_CODE_NOT_SUPPORTED  # pragma: no cover - _implements covers it

    def _implements(self, op: int) -> bool:
        m = self.model
        if op in (0x00, 0x01, 0x07, 0x08):
            return True
        if op == 0x02:
            return m.speed_target != "absent"
        if op == 0x03:
            return (m.belt.has_incline and m.incline_target != "absent") or m.incline_range_zeros
        return False

    # --- console and faults --------------------------------------------------------------

    def press_start(self) -> list[Outgoing]:
        if not self.belt.start():
            return []
        return [self._status(StatusStartedOrResumed()), *self._sync()]

    def press_stop(self) -> list[Outgoing]:
        if not self.belt.stop():
            return []
        return [self._status(StatusStoppedOrPaused(1)), *self._sync()]

    def press_pause(self) -> list[Outgoing]:
        if not self.belt.pause():
            return []
        return [self._status(StatusStoppedOrPaused(2)), *self._sync()]

    def press_speed(self, delta_kmh: float) -> list[Outgoing]:
        belt = self.belt
        if not belt.moving:
            return []
        kmh = self.model.snap_speed(belt.target_speed_kmh + delta_kmh)
        if abs(kmh - belt.target_speed_kmh) < 1e-9:
            return []
        belt.set_target_speed(kmh)
        return [self._status(self._speed_status(kmh))]

    def press_incline(self, delta_percent: float) -> list[Outgoing]:
        belt = self.belt
        if not belt.spec.has_incline or not belt.moving:
            return []
        pct = self.model.snap_incline(belt.target_incline_percent + delta_percent)
        if abs(pct - belt.target_incline_percent) < 1e-9:
            return []
        belt.set_target_incline(pct)
        return [self._status(StatusTargetIncline(round(pct * 10) / 10))]

    def pull_safety_key(self) -> list[Outgoing]:
        if not self.belt.pull_safety_key():
            return []
        return [self._status(StatusSafetyKey()), *self._sync()]

    def insert_safety_key(self) -> list[Outgoing]:
        self.belt.insert_safety_key()
        return []

    def revoke_control(self) -> list[Outgoing]:
        """The machine takes control away (e.g. the console took over): `FF` to the holder."""
        holder = self.controller
        if holder is None:
            return []
        self.controller = None
        return [self._status(StatusControlLost(), client=holder)]

    def power_cycle(self) -> None:
        """Reboot: belt stopped at once, counters zero, no clients, no control."""
        self.odometer.before_reset(self.belt)
        self.belt.power_cycle()
        self._clients.clear()
        self._pending.clear()
        self.controller = None
        self.training = _IDLE
        self.silent = False

    # --- time ---------------------------------------------------------------------------

    def tick(self, dt: float) -> list[Outgoing]:
        """Advance the belt by `dt` seconds; returns the notifications its transitions cause."""
        belt = self.belt
        changed = belt.advance(dt)
        out: list[Outgoing] = []
        if self.model.speed_status_during_ramp and belt.state in (
            BeltState.PAUSING,
            BeltState.STOPPING,
            BeltState.PAUSED,
            BeltState.STOPPED,
        ):
            raw = round(self.model.to_wire_speed(belt.speed_kmh) * 100)
            if raw != self._last_status_speed:
                self._last_status_speed = raw
                out.append(self._status(StatusTargetSpeed(raw / 100)))
        if changed is not None:
            out.extend(self._sync())
        return out

    def _sync(self) -> list[Outgoing]:
        """Training Status follows the belt's phase; notify on change only."""
        if not self.model.training_status:
            return []
        belt = self.belt
        state = belt.state
        if state is BeltState.IDLE:
            want = _IDLE
        elif state is BeltState.STOPPED:
            want = _POST
        elif state is BeltState.STOPPING:
            want = _IDLE if belt.resetting else self.training
        else:
            want = _MANUAL
        if want == self.training:
            return []
        self.training = want
        return [Outgoing(TRAINING_STATUS, encode_training_status(TrainingStatus(want)))]

    # --- telemetry ---------------------------------------------------------------------

    def telemetry_due(self) -> bool:
        """Whether a Treadmill Data record is sent now (some machines go quiet when stopped)."""
        if self.model.notify_when_stopped:
            return True
        belt = self.belt
        return belt.speed_kmh > 0 or belt.moving

    def telemetry(self) -> list[bytes]:
        """The current Treadmill Data record as notification payloads."""
        m = self.model
        td = self.record()
        if m.telemetry_packets == "split":
            return split_treadmill_data(td, m.max_payload)
        data = encode_treadmill_data(td)
        if m.telemetry_packets == "truncate" and len(data) > m.max_payload:
            return [data[: m.max_payload]]
        return [data]

    def heart_rate(self) -> bytes:
        """A Heart Rate Measurement: the strap's reading and one RR interval at that rate.

        A strap without contact says so (sensor contact off, 0 bpm, no RR interval).
        """
        reading = self.belt.heart.reading()
        if reading is None:
            return encode_heart_rate(HeartRateMeasurement(0, False, None, ()))
        bpm = max(1, min(reading, 255))
        rr = round(60 / bpm * 1024)
        return encode_heart_rate(HeartRateMeasurement(bpm, True, None, (rr,)))

    def record(self) -> TreadmillData:
        """The belt as one Treadmill Data record, with the fields the model carries."""
        belt = self.belt
        f = self._fields
        w = self.model.to_wire_speed
        speed = w(belt.speed_kmh)
        inc = belt.incline_percent
        kw: dict[str, Any] = {"speed_kmh": _cap(speed, 655.35)}
        if "average_speed" in f or "pace" in f:
            average = _cap(w(belt.average_speed_kmh), 655.35)
            if "average_speed" in f:
                kw["average_speed_kmh"] = average
            if "pace" in f:
                kw["instantaneous_pace"] = _cap(speed / 60, 25.5)
                kw["average_pace"] = _cap(average / 60, 25.5)
        if "distance" in f:
            kw["total_distance_m"] = self.odometer.total_m(belt)
        if "inclination" in f:
            kw["inclination_percent"] = round(inc, 1)
        if "elevation_gain" in f:
            kw["positive_elevation_gain_m"] = _cap(belt.elevation_gain_m, 6553.5)
            kw["negative_elevation_gain_m"] = _cap(belt.elevation_loss_m, 6553.5)
        mass = belt.spec.runner_mass_kg
        if "energy" in f or "metabolic_equivalent" in f:
            rate_h = belt.energy_rate_kcal_h()
            if "energy" in f:
                kw["total_energy_kcal"] = min(int(belt.energy_kcal), 0xFFFE)
                kw["energy_per_hour_kcal"] = min(round(rate_h), 0xFFFE)
                kw["energy_per_minute_kcal"] = min(round(rate_h / 60), 0xFE)
            if "metabolic_equivalent" in f:
                kw["metabolic_equivalent"] = _cap(max(1.0, rate_h / mass), 25.5)
        if "heart_rate" in f:
            # 0 is what consoles send without a strap
            kw["heart_rate_bpm"] = min(belt.heart.reading() or 0, 255)
        if "elapsed_time" in f:
            kw["elapsed_time_s"] = min(int(belt.elapsed_s), 0xFFFF)
        if "force_power" in f:
            force = _force(mass, inc)
            kw["force_on_belt_n"] = force
            kw["power_output_w"] = min(round(force * belt.speed_kmh / 3.6), 0x7FFE)
        if "step_count" in f:
            kw["step_count"] = min(int(belt.steps), 0xFFFFFF)
        return TreadmillData(**kw)

    # --- helpers -----------------------------------------------------------------------

    def _speed_status(self, kmh: float) -> MachineStatus:
        return StatusTargetSpeed(round(self.model.to_wire_speed(kmh) * 100) / 100)

    def _status(
        self, status: MachineStatus, *, exclude: int | None = None, client: int | None = None
    ) -> Outgoing:
        if self.model.status_echo:
            exclude = None  # the sender hears its own command's status too
        data = encode_machine_status(status)
        pad = self.model.status_min_length - len(data)
        if pad > 0:
            data += bytes(pad)
        return Outgoing(MACHINE_STATUS, data, False, client, exclude)


def _cap(value: float, top: float) -> float:
    return min(max(value, 0.0), top)


def _force(mass_kg: float, incline_percent: float) -> int:
    """Force the runner puts into the belt to climb: m·g·sin(atan(grade))."""
    grade = incline_percent / 100
    return max(-0x7FFE, min(0x7FFE, round(mass_kg * 9.81 * grade / math.sqrt(1 + grade * grade))))
