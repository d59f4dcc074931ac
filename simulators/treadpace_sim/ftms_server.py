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
The Control Point requests are decided in `control.py`, the GATT tables live in
`gatt.py` and the Treadmill Data records are built in `telemetry.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from treadpace.ftms import (
    CONTROL_POINT,
    MACHINE_STATUS,
    TRAINING_STATUS,
    ControlOp,
    ControlResponse,
    MachineStatus,
    StatusControlLost,
    StatusSafetyKey,
    StatusStartedOrResumed,
    StatusStoppedOrPaused,
    StatusTargetIncline,
    StatusTargetSpeed,
    StopControl,
    TrainingStatus,
    TrainingStatusCode,
    TreadmillData,
    encode_control_response,
    encode_machine_status,
    encode_training_status,
)
from treadpace_sim.att_error import (
    ATT_ATTRIBUTE_NOT_FOUND,
    ATT_CCCD_IMPROPERLY_CONFIGURED,
    ATT_INVALID_LENGTH,
    ATT_PROCEDURE_IN_PROGRESS,
    ATT_READ_NOT_PERMITTED,
    ATT_WRITE_NOT_PERMITTED,
    AttError,
)
from treadpace_sim.belt import Belt, BeltState
from treadpace_sim.control_handlers import ControlPoint
from treadpace_sim.gatt_table import SERVICE_OF, advertisement_of, characteristics_of, fixed_values
from treadpace_sim.model import TreadmillModel
from treadpace_sim.outgoing import INDICATE, NOTIFY, Outgoing
from treadpace_sim.telemetry import (
    heart_rate_payload,
    telemetry_due,
    telemetry_payloads,
    treadmill_record,
)
from treadpace_sim.total_distance import MachineOdometer

__all__ = ["INDICATE", "NOTIFY", "FtmsServer", "Outgoing", "WriteResult", "op_name"]

_IDLE: Final = int(TrainingStatusCode.IDLE)
_MANUAL: Final = int(TrainingStatusCode.MANUAL_MODE)
_POST: Final = int(TrainingStatusCode.POST_WORKOUT)


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
        self.control = ControlPoint(model, self.belt, self.odometer, self._status)
        self.training = _IDLE
        self.silent = False
        """Fault: Control Point writes accepted but neither acted on nor answered."""
        self._clients: dict[int, dict[str, int]] = {}
        self._pending: set[int] = set()
        self._fixed = fixed_values(model)
        self._cp_kind = {"indicate": INDICATE, "notify": NOTIFY}.get(model.control_point, 0)
        self._indicate_responses = model.responses_as == "indicate" and self._cp_kind == INDICATE
        self._last_status_speed: int | None = None
        self._chars = characteristics_of(model)

    @property
    def controller(self) -> int | None:
        """The client holding control, if any."""
        return self.control.controller

    @controller.setter
    def controller(self, client: int | None) -> None:
        self.control.controller = client

    # --- GATT surface -------------------------------------------------------------

    def characteristics(self) -> dict[str, frozenset[str]]:
        """UUID -> properties ("read", "write", "notify", "indicate")."""
        return dict(self._chars)

    def services(self) -> dict[str, list[str]]:
        """Service UUID -> its characteristics, in a stable order (for a GATT front end)."""
        out: dict[str, list[str]] = {}
        for uuid in self._chars:
            out.setdefault(SERVICE_OF[uuid], []).append(uuid)
        return out

    def advertisement(self) -> tuple[str | None, list[str], dict[str, bytes]]:
        """(local name, service UUIDs, service data) as the machine advertises (ftms.md §1.2).

        Service data for 0x1826: flags 0x01 (machine available), type 0x0001 (treadmill).
        """
        return advertisement_of(self.model)

    def read(self, uuid: str) -> bytes:
        chars = self._chars
        if uuid not in chars:
            raise AttError(ATT_ATTRIBUTE_NOT_FOUND, uuid)
        if "read" not in chars[uuid]:
            raise AttError(ATT_READ_NOT_PERMITTED, uuid)
        if uuid == TRAINING_STATUS:
            return encode_training_status(TrainingStatus(self.training))
        return self._fixed[uuid]

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
        result = self.control.execute(client, data, record, out)
        if result is None:
            record["result"] = "no_response"
            out.extend(self._sync())
            return WriteResult(out, record)
        record["result"] = result.name.lower()
        response = encode_control_response(ControlResponse(op, result))
        first = [
            Outgoing(CONTROL_POINT, response, self._indicate_responses, client)
            for _ in range(self.model.response_copies)
        ]
        if self._indicate_responses:
            self._pending.add(client)
        # the response first: the client learns its outcome before any consequence
        return WriteResult(first + out + self._sync(), record)

    # --- console and faults --------------------------------------------------------------

    def press_start(self) -> list[Outgoing]:
        if not self.belt.start():
            return []
        return [self._status(StatusStartedOrResumed()), *self._sync()]

    def press_stop(self) -> list[Outgoing]:
        if not self.belt.stop():
            return []
        return [self._status(StatusStoppedOrPaused(StopControl.STOP)), *self._sync()]

    def press_pause(self) -> list[Outgoing]:
        if not self.belt.pause():
            return []
        return [self._status(StatusStoppedOrPaused(StopControl.PAUSE)), *self._sync()]

    def press_speed(self, delta_kmh: float) -> list[Outgoing]:
        belt = self.belt
        if not belt.moving:
            return []
        kmh = self.model.snap_speed(belt.target_speed_kmh + delta_kmh)
        if abs(kmh - belt.target_speed_kmh) < 1e-9:
            return []
        belt.set_target_speed(kmh)
        return [self._status(self.control.speed_status(kmh))]

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
        return telemetry_due(self.model, self.belt)

    def telemetry(self) -> list[bytes]:
        """The current Treadmill Data record as notification payloads."""
        return telemetry_payloads(self.model, self.record())

    def heart_rate(self) -> bytes:
        """A Heart Rate Measurement: the strap's reading and one RR interval at that rate."""
        return heart_rate_payload(self.belt)

    def record(self) -> TreadmillData:
        """The belt as one Treadmill Data record, with the fields the model carries."""
        return treadmill_record(self.model, self.belt, self.odometer)

    # --- helpers -----------------------------------------------------------------------

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
