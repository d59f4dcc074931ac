"""Random command sequences, console actions and time: the belt stays in range and the
server never answers anything the spec forbids."""

from __future__ import annotations

import random
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.depth import sized
from treadpace.ftms import (
    CONTROL_POINT,
    MACHINE_STATUS,
    TRAINING_STATUS,
    TREADMILL_DATA,
    decode_control_response,
    decode_machine_status,
    decode_treadmill_data,
)
from treadpace_sim.att_error import AttError
from treadpace_sim.belt import BeltState
from treadpace_sim.ftms_server import FtmsServer, Outgoing
from treadpace_sim.model import load_model

MODELS = [
    "generic",
    "wide-range",
    "start-first",
    "speed-ignored",
    "incline-refused",
    "locked",
    "notify-responses",
    "silent-control",
    "mph-grid",
    "mph-wire",
    "slow-belt",
    "padded-status",
    "early-notify",
]
_SERVERS = {name: load_model(name) for name in MODELS}


@dataclass(frozen=True)
class Write:
    client: int
    data: bytes
    confirm: bool


@dataclass(frozen=True)
class Console:
    action: str
    value: float = 0.0


@dataclass(frozen=True)
class Tick:
    dt: float


@dataclass(frozen=True)
class Link:
    client: int
    up: bool


def _u16(v: int) -> bytes:
    return (v & 0xFFFF).to_bytes(2, "little")


_requests = st.one_of(
    st.just(b"\x00"),
    st.just(b"\x01"),
    st.just(b"\x07"),
    st.sampled_from([b"\x08\x01", b"\x08\x02", b"\x08\x00", b"\x08\x03", b"\x08"]),
    st.integers(0, 2600).map(lambda v: b"\x02" + _u16(v)),
    st.integers(-60, 200).map(lambda v: b"\x03" + _u16(v)),
    st.binary(min_size=1, max_size=5),
)
_actions = st.one_of(
    st.builds(Write, st.sampled_from([0, 0, 0, 1]), _requests, st.booleans()),
    st.builds(
        Console,
        st.sampled_from(
            ["start", "stop", "pause", "speed", "incline", "key_out", "key_in", "revoke"]
        ),
        st.sampled_from([-2.0, -0.5, -0.1, 0.1, 0.3, 1.0, 5.0]),
    ),
    st.builds(Tick, st.floats(0.01, 40.0)),
    st.builds(Link, st.sampled_from([0, 1]), st.booleans()),
)


def _enable(srv: FtmsServer, client: int) -> None:
    srv.connect(client)
    for uuid in (TREADMILL_DATA, MACHINE_STATUS, TRAINING_STATUS, CONTROL_POINT):
        indicate = uuid == CONTROL_POINT and srv.model.control_point == "indicate"
        srv.set_cccd(client, uuid, 2 if indicate else 1)


def _check_belt(srv: FtmsServer) -> None:
    b, s = srv.belt, srv.belt.spec
    assert 0.0 <= b.speed_kmh <= s.speed_max_kmh + 1e-9
    assert b.target_speed_kmh == 0.0 or s.speed_min_kmh <= b.target_speed_kmh <= s.speed_max_kmh
    assert s.incline_min_percent - 1e-9 <= b.incline_percent <= s.incline_max_percent + 1e-9
    if not b.safety_key_in:
        assert not b.moving
    for data in srv.telemetry():
        td = decode_treadmill_data(data)
        if td.speed_kmh is not None:
            wire_max = srv.model.wire_speed_range()[1] / 100
            assert td.speed_kmh <= wire_max + 0.01


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(MODELS), st.lists(_actions, max_size=50))
def test_random_sessions_obey_the_spec(name: str, actions: list[object]) -> None:
    model = _SERVERS[name]
    srv = FtmsServer(model)
    strict = model.response_copies == 1 and model.request_control == "grant"
    lo, hi, inc = model.wire_speed_range()
    ilo, ihi, iinc = model.wire_incline_range()
    for c in (0, 1):
        _enable(srv, c)
    connected = {0, 1}
    started_by: str | None = None
    for action in actions:
        was_moving = srv.belt.moving
        out: list[Outgoing] = []
        started_by = None
        if isinstance(action, Write):
            if action.client not in connected or not model.has_control_point:
                continue
            had_control = srv.controller == action.client
            pending = srv.pending(action.client)
            try:
                result = srv.write(action.client, CONTROL_POINT, action.data)
            except AttError as exc:
                assert exc.code == 0xFE and pending
                continue
            assert not pending  # 0xFE while a procedure is open, always
            out = result.out
            responses = [o for o in out if o.uuid == CONTROL_POINT]
            for o in responses:
                assert o.client == action.client
                r = decode_control_response(o.data)
                assert r.request_op == action.data[0] and 1 <= r.result <= 5
                op = action.data[0]
                if r.result == 1 and op != 0x00:
                    assert had_control, "success without control"
                if r.result == 1 and op == 0x02 and model.off_increment == "reject":
                    raw = int.from_bytes(action.data[1:3], "little")
                    assert lo <= raw <= hi and (raw - lo) % inc == 0, "speed off the grid"
                if r.result == 1 and op == 0x03 and model.off_increment == "reject":
                    raw = int.from_bytes(action.data[1:3], "little", signed=True)
                    assert ilo <= raw <= ihi and (raw - ilo) % iinc == 0
                if r.result == 1 and op == 0x07:
                    started_by = "client"
            if strict:
                assert len(responses) == 1, "exactly one response per write"
                assert responses[0].indicate == (model.control_point == "indicate")
            elif model.request_control == "silent" and action.data[0] == 0x00:
                assert responses == [] or decode_control_response(responses[0].data).result != 1
            # a client's own command never echoes a Machine Status back to it
            for o in out:
                if o.uuid == MACHINE_STATUS:
                    assert o.exclude == action.client or o.client not in (None, action.client)
            if action.confirm:
                srv.indication_confirmed(action.client)
        elif isinstance(action, Console):
            a = action.action
            if a == "start":
                out = srv.press_start()
                started_by = "console" if out else None
            elif a == "stop":
                out = srv.press_stop()
            elif a == "pause":
                out = srv.press_pause()
            elif a == "speed":
                out = srv.press_speed(action.value)
            elif a == "incline":
                out = srv.press_incline(action.value)
            elif a == "key_out":
                out = srv.pull_safety_key()
            elif a == "key_in":
                out = srv.insert_safety_key()
            else:
                out = srv.revoke_control()
            for o in out:
                if o.uuid == MACHINE_STATUS:
                    decode_machine_status(o.data)
        elif isinstance(action, Tick):
            out = srv.tick(action.dt)
        elif isinstance(action, Link):
            if action.up and action.client not in connected:
                _enable(srv, action.client)
                connected.add(action.client)
            elif not action.up and action.client in connected:
                out = srv.disconnect(action.client)
                connected.discard(action.client)
                assert srv.controller != action.client
        # the belt only starts on an explicit Start (safety rule 2)
        if srv.belt.moving and not was_moving:
            assert started_by is not None
        if srv.belt.state is BeltState.IDLE:
            assert srv.belt.target_speed_kmh == 0.0 or not was_moving
        _check_belt(srv)


def test_random_bytes_never_crash_the_server() -> None:
    rng = random.Random(1234)
    for name in ("generic", "notify-responses", "mph-wire"):
        srv = FtmsServer(_SERVERS[name])
        _enable(srv, 0)
        srv.write(0, CONTROL_POINT, b"\x00")
        for _ in range(sized(4_000, 12_000)):
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
            srv.indication_confirmed(0)
            result = srv.write(0, CONTROL_POINT, data)
            for o in result.out:
                if o.uuid == CONTROL_POINT:
                    assert decode_control_response(o.data).request_op == data[0]
            srv.tick(rng.random())
            _check_belt(srv)
