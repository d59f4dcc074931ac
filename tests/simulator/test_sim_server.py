"""The pure FTMS server: the Control Point rules of ftms.md §4 and the statuses of §5."""

from __future__ import annotations

import pytest

from treadpace.ftms import (
    CONTROL_POINT,
    FEATURE,
    MACHINE_STATUS,
    MODEL_NUMBER,
    TRAINING_STATUS,
    TREADMILL_DATA,
    decode_treadmill_data,
    short_uuid,
)
from treadpace_sim.att_error import AttError
from treadpace_sim.belt import BeltState
from treadpace_sim.ftms_server import FtmsServer, Outgoing
from treadpace_sim.model import load_model


def _server(name: str = "generic", clients: tuple[int, ...] = (0,)) -> FtmsServer:
    srv = FtmsServer(load_model(name))
    for c in clients:
        srv.connect(c)
        for uuid in (CONTROL_POINT, MACHINE_STATUS, TRAINING_STATUS, TREADMILL_DATA):
            srv.set_cccd(c, uuid, 2 if uuid == CONTROL_POINT else 1)
    return srv


def belt_state(srv: FtmsServer) -> BeltState:
    """The belt's state read afresh (an assert before a write does not hold after it)."""
    return srv.belt.state


def _w(srv: FtmsServer, hexes: str, client: int = 0) -> list[str]:
    """Write and confirm; what the writer receives, as 'XXXX: hex' (uuid in short form)."""
    result = srv.write(client, CONTROL_POINT, bytes.fromhex(hexes))
    srv.indication_confirmed(client)
    return [_fmt(o) for o in result.out if o.client in (None, client) and o.exclude != client]


def _fmt(o: Outgoing) -> str:
    return f"{short_uuid(o.uuid):04X}: {o.data.hex(' ').upper()}"


def _run(srv: FtmsServer, seconds: float, dt: float = 0.5) -> list[Outgoing]:
    out: list[Outgoing] = []
    for _ in range(round(seconds / dt)):
        out += srv.tick(dt)
    return out


def test_every_op_needs_control_first() -> None:
    srv = _server()
    for op in ("01", "02 E8 03", "03 14 00", "07", "08 01", "08 02"):
        assert _w(srv, op) == [f"2AD9: 80 {op[:2]} 05"]
    assert srv.belt.state is BeltState.IDLE


def test_unsupported_and_reserved_ops_answer_op_code_not_supported() -> None:
    srv = _server()
    for req in ("04 32", "05 C8 00", "06 96", "0C 88 13 00", "0D 08 07", "13 01", "15", "80"):
        assert _w(srv, req) == [f"2AD9: 80 {req[:2]} 02"]


@pytest.mark.parametrize(
    "req",
    [
        "02 40 1F",  # 80.00 km/h, above max (C6)
        "02 4F 00",  # 0.79 km/h, below min
        "02 E8",  # truncated parameter (C7)
        "02 E8 03 00",  # parameter too long
        "02 E9 03",  # 10.01 km/h: off the 0.1 grid
        "03 0F 00",  # 1.5 %: off the 1 % grid (C10)
        "03 E2 FF",  # -3.0 % on a 0..12 % machine (C9)
        "03 79 00",  # 12.1 %
        "08 03",  # reserved stop/pause control information (C17)
        "08",  # stop/pause without its parameter
        "07 00",  # start with a parameter it does not take
    ],
)
def test_bad_parameters_answer_invalid_parameter(req: str) -> None:
    srv = _server()
    _w(srv, "00")
    assert _w(srv, req) == [f"2AD9: 80 {req[:2]} 03"]
    assert srv.belt.target_speed_kmh == 0.0


def test_truncated_parameter_without_control_is_control_not_permitted() -> None:
    assert _w(_server(), "02 E8") == ["2AD9: 80 02 05"]


def test_start_twice_and_stop_when_stopped_fail() -> None:
    srv = _server()
    _w(srv, "00")
    assert _w(srv, "08 01") == ["2AD9: 80 08 04"]  # nothing to stop
    assert _w(srv, "08 02") == ["2AD9: 80 08 04"]  # nothing to pause
    assert _w(srv, "07")[0] == "2AD9: 80 07 01"
    assert _w(srv, "07") == ["2AD9: 80 07 04"]  # already started
    _run(srv, 5)
    assert _w(srv, "08 02") == ["2AD9: 80 08 01"]
    assert _w(srv, "08 02") == ["2AD9: 80 08 04"]  # already pausing
    _run(srv, 5)
    assert srv.belt.state is BeltState.PAUSED
    assert _w(srv, "08 01")[0] == "2AD9: 80 08 01"  # stop from pause
    assert belt_state(srv) is BeltState.STOPPED
    assert _w(srv, "08 01") == ["2AD9: 80 08 04"]


def test_stop_versus_pause() -> None:
    srv = _server()
    _w(srv, "00")
    _w(srv, "02 E8 03")
    _w(srv, "07")
    _run(srv, 30)
    assert srv.belt.speed_kmh == 10.0
    _w(srv, "08 02")
    out = _run(srv, 30)
    assert srv.belt.state is BeltState.PAUSED and srv.belt.speed_kmh == 0
    assert [_fmt(o) for o in out] == []  # a pause is not the end of the workout
    _w(srv, "07")
    _run(srv, 30)
    assert srv.belt.speed_kmh == 10.0  # resume restores the pre-pause speed
    _w(srv, "08 01")
    out = _run(srv, 30)
    assert belt_state(srv) is BeltState.STOPPED
    assert [_fmt(o) for o in out] == ["2AD3: 00 0F"]
    assert srv.belt.target_speed_kmh == 0.0


def test_reset_releases_control_and_zeroes_counters() -> None:
    srv = _server()
    _w(srv, "00")
    _w(srv, "07")
    _run(srv, 20)
    assert srv.belt.distance_m > 0 and srv.belt.elapsed_s > 0
    assert _w(srv, "01") == ["2AD9: 80 01 01", "2AD3: 00 01"]
    assert srv.belt.elapsed_s == 0 and srv.belt.distance_m == 0
    _run(srv, 10)
    assert srv.belt.state is BeltState.IDLE
    assert _w(srv, "07") == ["2AD9: 80 07 05"]
    assert _w(srv, "00") == ["2AD9: 80 00 01"]


def test_disconnect_gives_up_control() -> None:
    srv = _server()
    _w(srv, "00")
    srv.disconnect(0)
    assert srv.controller is None
    srv.connect(0)
    srv.set_cccd(0, CONTROL_POINT, 2)
    assert _w(srv, "07") == ["2AD9: 80 07 05"]


def test_cccd_not_set_is_att_error_fd() -> None:
    srv = FtmsServer(load_model("generic"))
    srv.connect(0)
    with pytest.raises(AttError) as err:
        srv.write(0, CONTROL_POINT, b"\x00")
    assert err.value.code == 0xFD
    srv.set_cccd(0, CONTROL_POINT, 1)  # notifications are not what the CP declares
    with pytest.raises(AttError):
        srv.write(0, CONTROL_POINT, b"\x00")


def test_write_while_procedure_pending_is_att_error_fe_and_discarded() -> None:
    srv = _server()
    srv.write(0, CONTROL_POINT, b"\x00")
    with pytest.raises(AttError) as err:
        srv.write(0, CONTROL_POINT, b"\x07")
    assert err.value.code == 0xFE
    assert srv.belt.state is BeltState.IDLE  # not queued
    srv.indication_confirmed(0)
    assert _w(srv, "07")[0] == "2AD9: 80 07 01"


def test_other_attributes_are_not_writable() -> None:
    srv = _server()
    with pytest.raises(AttError) as err:
        srv.write(0, FEATURE, b"\x00")
    assert err.value.code == 0x03
    with pytest.raises(AttError) as err:
        srv.write(0, CONTROL_POINT, b"")
    assert err.value.code == 0x0D


def test_safety_key_blocks_restart_until_it_is_back() -> None:
    srv = _server()
    _w(srv, "00")
    _w(srv, "02 E8 03")
    _w(srv, "07")
    _run(srv, 30)
    out = [_fmt(o) for o in srv.pull_safety_key()]
    assert out == ["2ADA: 03"]
    _run(srv, 4.5)  # emergency deceleration: 2 km/h/s
    assert srv.belt.state is BeltState.STOPPING
    assert [_fmt(o) for o in _run(srv, 1)] == ["2AD3: 00 0F"]
    assert _w(srv, "07") == ["2AD9: 80 07 04"]
    assert srv.press_start() == []
    srv.insert_safety_key()
    assert _w(srv, "07")[0] == "2AD9: 80 07 01"


def test_status_echo_goes_to_the_other_clients_only() -> None:
    srv = _server(clients=(1, 2))
    _w(srv, "00", client=1)
    result = srv.write(1, CONTROL_POINT, bytes.fromhex("02 E8 03"))
    srv.indication_confirmed(1)
    status = [o for o in result.out if o.uuid == MACHINE_STATUS]
    assert [(o.data.hex(" "), o.exclude, o.client) for o in status] == [("05 e8 03", 1, None)]
    response = [o for o in result.out if o.uuid == CONTROL_POINT]
    assert [(o.client, o.indicate) for o in response] == [(1, True)]
    # the second client cannot take control while the first holds it
    assert _w(srv, "00", client=2) == ["2AD9: 80 00 05"]
    # console actions are for everybody
    assert next((o.exclude, o.client) for o in srv.press_start()) == (None, None)


def test_control_lost_is_sent_only_to_the_holder() -> None:
    srv = _server(clients=(1, 2))
    _w(srv, "00", client=2)
    out = srv.revoke_control()
    assert [(_fmt(o), o.client) for o in out] == [("2ADA: FF", 2)]
    assert _w(srv, "07", client=2) == ["2AD9: 80 07 05"]


def test_console_keys_notify_status_and_move_the_belt() -> None:
    srv = _server()
    assert srv.press_speed(0.5) == []  # keys do nothing while the belt stands
    assert [_fmt(o) for o in srv.press_start()] == ["2ADA: 04", "2AD3: 00 0D"]
    _run(srv, 5)
    assert [_fmt(o) for o in srv.press_speed(+1.0)] == ["2ADA: 05 B4 00"]  # 0.8 + 1.0
    assert [_fmt(o) for o in srv.press_incline(+2.0)] == ["2ADA: 06 14 00"]
    assert [_fmt(o) for o in srv.press_speed(-5.0)] == ["2ADA: 05 50 00"]  # clamped at min
    assert [_fmt(o) for o in srv.press_pause()] == ["2ADA: 02 02"]
    assert next(_fmt(o) for o in srv.press_stop()) == "2ADA: 02 01"


def test_target_while_stopped_is_stored_not_started() -> None:
    srv = _server()
    _w(srv, "00")
    assert _w(srv, "02 E8 03") == ["2AD9: 80 02 01"]
    _run(srv, 10)
    assert srv.belt.speed_kmh == 0.0  # never moves without Start (safety rule 2)
    _w(srv, "07")
    _run(srv, 30)
    assert srv.belt.speed_kmh == 10.0


def test_telemetry_record_carries_the_model_fields() -> None:
    srv = _server()
    _w(srv, "00")
    _w(srv, "03 14 00")
    _w(srv, "02 B0 04")
    _w(srv, "07")
    _run(srv, 60)
    td = srv.record()
    assert td.speed_kmh == 12.0 and td.inclination_percent == 2.0
    assert td.elapsed_time_s == 60
    assert td.total_distance_m is not None and 150 < td.total_distance_m < 200
    assert td.heart_rate_bpm is not None and td.heart_rate_bpm > 60
    parts = srv.telemetry()
    assert len(parts) == 2 and all(len(p) <= 20 for p in parts)
    assert decode_treadmill_data(parts[0]).more_data
    assert decode_treadmill_data(parts[1]).speed_kmh == 12.0


def test_services_and_advertisement_for_a_gatt_front_end() -> None:
    srv = _server()
    services = {short_uuid(k): [short_uuid(c) for c in v] for k, v in srv.services().items()}
    assert services == {
        0x1826: [0x2ACC, 0x2ACD, 0x2AD3, 0x2AD9, 0x2ADA, 0x2AD4, 0x2AD5],
        0x180A: [0x2A29, 0x2A24, 0x2A26],
    }
    name, uuids, data = srv.advertisement()
    assert name == "treadpace-generic" and [short_uuid(u) for u in uuids] == [0x1826]
    assert [v.hex(" ") for v in data.values()] == ["01 01 00"]  # available, treadmill (§1.2)
    assert FtmsServer(load_model("silent-control")).advertisement()[0] is None  # no name
    assert srv.read(MODEL_NUMBER) == b"SIM-GENERIC"
