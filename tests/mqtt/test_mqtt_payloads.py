"""MQTT payloads, command parsing, topics and Home Assistant discovery configs (no broker)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import SecretStr

from tests.mqtt_broker import mqtt_settings
from treadpace.base.topic_prefix import MAX_PREFIX_BYTES, MAX_TOPIC_BYTES
from treadpace.base.user_error import UserError
from treadpace.engine.events import Command, RunState, Tick
from treadpace.mqtt.ha_discovery import discovery_configs, discovery_topics
from treadpace.mqtt.payloads import (
    MAX_NUDGE_KMH,
    BadCommand,
    RunContext,
    dumps,
    parse_command,
    telemetry,
)
from treadpace.mqtt.settings import client_options, describe
from treadpace.mqtt.topics import Topics
from treadpace.plans.profile import TlsSettings


def tick(**overrides: object) -> Tick:
    values: dict[str, object] = dict(
        t=61.0,
        wall=1_767_225_661.0,
        state=RunState.RUNNING,
        step_index=1,
        step_name="mile 2",
        speed_kmh=10.0,
        target_speed_kmh=10.0,
        incline_percent=1.0,
        target_incline_percent=1.0,
        heart_rate_bpm=150,
        distance_m=1234.56,
        elapsed_s=61.0,
        step_elapsed_s=30.0,
        step_distance_m=80.0,
        step_remaining=90.0,
        progress=0.25,
    )
    values.update(overrides)
    return Tick(**values)  # type: ignore[arg-type]


def test_telemetry_payload_carries_every_live_value_in_the_runners_units() -> None:
    metric = telemetry(tick(), RunContext(imperial=False, total_steps=4, step_kind="time"))
    assert metric["speed_kmh"] == 10.0
    assert metric["pace_s_per_km"] == 360.0
    assert metric["pace"] == "6:00/km"
    assert metric["distance_m"] == 1234.6
    assert metric["incline_percent"] == 1.0
    assert metric["heart_rate_bpm"] == 150
    assert (metric["step"], metric["step_index"], metric["step_number"]) == ("mile 2", 1, 2)
    assert metric["total_steps"] == 4
    assert (metric["step_remaining"], metric["step_remaining_display"]) == (90.0, "1:30")
    assert metric["progress_percent"] == 25.0
    assert metric["elapsed_s"] == 61.0
    assert metric["state"] == "running"

    imperial = telemetry(tick(step_remaining=804.672), RunContext(True, 4, "distance"))
    assert imperial["pace"] == "9:39/mi"
    assert imperial["pace_s_per_km"] == 360.0
    assert imperial["step_remaining_display"] == "0.50 mi"


def test_standing_belt_and_missing_sensors_become_null_not_nonsense() -> None:
    payload = telemetry(
        tick(speed_kmh=0.0, heart_rate_bpm=None, incline_percent=None), RunContext()
    )
    assert payload["pace_s_per_km"] is None
    assert payload["pace"] == "--:--"
    assert payload["heart_rate_bpm"] is None
    assert payload["incline_percent"] is None
    json.loads(dumps(payload))  # valid JSON (no NaN / Infinity)


@pytest.mark.parametrize(
    ("name", "payload", "expected"),
    [
        ("pause", b"PRESS", (Command.PAUSE, None)),
        ("resume", b"press", (Command.RESUME, None)),
        ("skip", b"1", (Command.SKIP, None)),
        ("stop", b"stop", (Command.STOP, None)),
        ("start", b"PRESS", (Command.START, None)),
        ("nudge_up", b"PRESS", (Command.NUDGE_UP, None)),
        ("nudge_down", b"PRESS", (Command.NUDGE_DOWN, None)),
        ("nudge", b"+0.2", (Command.NUDGE_UP, 0.2)),
        ("nudge", b" -0.5 ", (Command.NUDGE_DOWN, 0.5)),
        ("nudge", b"1", (Command.NUDGE_UP, 1.0)),
    ],
)
def test_command_messages_map_to_engine_commands(
    name: str, payload: bytes, expected: tuple[Command, float | None]
) -> None:
    assert parse_command(name, payload) == expected


@pytest.mark.parametrize(
    ("name", "payload", "why"),
    [
        ("nudge", b"fast", "expected a signed km/h change"),
        ("nudge", b"+5", "between"),
        ("nudge", b"0", "not 0"),
        ("nudge", b"nan", "between"),
        ("nudge", b"inf", "between"),
        ("pause", b"", "expected PRESS"),
        ("pause", b"maybe", "expected PRESS"),
        ("pause", b"\xff\xfe", "not UTF-8"),
        ("pause", b"P" * 100, "longer than"),
        ("self_destruct", b"PRESS", "unknown command"),
    ],
)
def test_bad_command_messages_are_rejected_with_a_reason(
    name: str, payload: bytes, why: str
) -> None:
    with pytest.raises(BadCommand, match=why):
        parse_command(name, payload)


def test_nudge_limit_is_inclusive() -> None:
    assert parse_command("nudge", f"-{MAX_NUDGE_KMH}".encode()) == (
        Command.NUDGE_DOWN,
        MAX_NUDGE_KMH,
    )


def test_topics_follow_base_and_discovery_prefix() -> None:
    topics = Topics.from_settings(
        mqtt_settings(base_topic="home/treadmill/", discovery_prefix="ha")
    )
    assert topics.state == "home/treadmill/state"
    assert topics.command("pause") == "home/treadmill/command/pause"
    assert topics.command_filter == "home/treadmill/command/+"
    assert topics.node_id == "home_treadmill"
    assert topics.discovery("sensor", "speed") == "ha/sensor/home_treadmill/speed/config"
    assert topics.ha_status == "ha/status"
    with pytest.raises(UserError, match=r"mqtt\.base_topic: expected a topic prefix"):
        Topics.from_settings(mqtt_settings().model_copy(update={"base_topic": "treadpace/#"}))


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("base_topic", "$SYS/treadpace", "not starting with $"),
        ("base_topic", "a/+/b", "without wildcards"),
        ("base_topic", "tread\0pace", "or NUL"),
        ("base_topic", "x" * 70_000, "at most 32000 bytes, got 70000"),
        ("base_topic", "\u00e9" * 16_001, "at most 32000 bytes, got 32002"),
        ("base_topic", "//", "got nothing"),
        ("discovery_prefix", "$share/ha", "not starting with $"),
    ],
)
def test_topic_prefixes_a_broker_cannot_take_are_one_line_errors(
    field: str, value: str, words: str
) -> None:
    # Settings built in code, unvalidated, meet the same rule in the bridge.
    with pytest.raises(UserError) as err:
        Topics.from_settings(mqtt_settings().model_copy(update={field: value}))
    message = str(err.value)
    assert message.startswith(f"mqtt.{field}: expected a topic prefix"), message
    assert words in message and "\n" not in message and len(message) < 200


def test_the_longest_topics_from_the_longest_prefixes_fit_the_protocol() -> None:
    topics = Topics.from_settings(
        mqtt_settings(base_topic="b" * MAX_PREFIX_BYTES, discovery_prefix="d" * MAX_PREFIX_BYTES)
    )
    every = [topics.availability, topics.state, topics.telemetry, topics.event, topics.ha_status]
    every += [topics.command(name) for name in ("nudge_down", "nudge_up", "resume", "start")]
    every += discovery_topics(topics)
    assert max(len(t.encode()) for t in every) <= MAX_TOPIC_BYTES


def _configs(allow_remote_start: bool) -> dict[str, dict[str, object] | None]:
    topics = Topics.from_settings(mqtt_settings())
    return dict(
        discovery_configs(topics, "Garage treadmill", allow_remote_start=allow_remote_start)
    )


def test_discovery_sensors_have_home_assistant_classes_units_and_templates() -> None:
    configs = _configs(False)
    sensor = {
        topic.split("/")[-2]: cfg
        for topic, cfg in configs.items()
        if topic.startswith("homeassistant/sensor/treadpace/") and cfg is not None
    }
    assert sensor["speed"]["device_class"] == "speed"
    assert sensor["speed"]["unit_of_measurement"] == "km/h"
    assert sensor["speed"]["state_class"] == "measurement"
    assert sensor["distance"]["device_class"] == "distance"
    assert sensor["distance"]["state_class"] == "total_increasing"
    assert sensor["elapsed"]["device_class"] == "duration"
    assert sensor["elapsed"]["unit_of_measurement"] == "s"
    assert "device_class" not in sensor["heart_rate"]  # Home Assistant has no heart-rate class
    assert sensor["heart_rate"]["unit_of_measurement"] == "bpm"
    assert sensor["energy"]["state_class"] == "total_increasing"
    assert "state_class" not in sensor["pace"]  # a text value
    assert sensor["state"]["device_class"] == "enum"
    options = sensor["state"]["options"]
    assert isinstance(options, list)
    assert set(options) >= {
        "idle", "ready", "running", "paused", "finished", "aborted",
    }  # fmt: skip
    # Every template reads a key the telemetry JSON really has.
    keys = set(telemetry(tick(), RunContext()))
    for name, cfg in sensor.items():
        if name == "state":
            assert cfg["state_topic"] == "treadpace/state"
            continue
        assert cfg["state_topic"] == "treadpace/telemetry"
        field = re.fullmatch(r"\{\{ value_json\.(\w+) \}\}", str(cfg["value_template"]))
        assert field is not None and field.group(1) in keys, name
    for maybe in configs.values():
        if maybe is None:
            continue
        cfg = maybe
        assert cfg["availability_topic"] == "treadpace/availability"
        assert cfg["device"] == {
            "identifiers": ["treadpace_treadpace"],
            "name": "Garage treadmill",
            "manufacturer": "treadpace",
            "model": "treadpace",
            "sw_version": cfg["device"]["sw_version"],  # type: ignore[index]
        }
        assert str(cfg["unique_id"]).startswith("treadpace_treadpace_")
    assert len({cfg["unique_id"] for cfg in configs.values() if cfg}) == len(
        [c for c in configs.values() if c]
    )


def test_start_button_exists_only_when_remote_start_is_allowed() -> None:
    buttons = {t: c for t, c in _configs(False).items() if "/button/" in t}
    for verb in ("pause", "resume", "skip", "stop"):
        cfg = buttons[f"homeassistant/button/treadpace/{verb}/config"]
        assert cfg is not None
        assert cfg["command_topic"] == f"treadpace/command/{verb}"
        assert cfg["payload_press"] == "PRESS"
        assert parse_command(verb, str(cfg["payload_press"]).encode())[1] is None
    # Not allowed: the start config is published empty, which removes an old one.
    assert buttons["homeassistant/button/treadpace/start/config"] is None
    allowed = _configs(True)["homeassistant/button/treadpace/start/config"]
    assert allowed is not None and allowed["command_topic"] == "treadpace/command/start"
    assert "homeassistant/button/treadpace/start/config" in discovery_topics(
        Topics.from_settings(mqtt_settings())
    )


def test_client_options_pass_the_secret_and_never_describe_it() -> None:
    settings = mqtt_settings(username="runner", password=SecretStr("hunter2-secret"))
    options = client_options(settings)
    assert options["username"] == "runner"
    assert options["password"] == "hunter2-secret"
    assert "hunter2" not in describe(settings)
    assert "hunter2" not in repr(settings)


def test_empty_credentials_from_unset_variables_mean_anonymous() -> None:
    options = client_options(mqtt_settings(username="", password=SecretStr("")))
    assert "username" not in options and "password" not in options
    options = client_options(mqtt_settings(username="runner", password=SecretStr("")))
    assert options["username"] == "runner" and "password" not in options
    assert describe(mqtt_settings(username="")) == "mqtt://127.0.0.1:1883"


def test_unreadable_tls_files_are_a_user_error_naming_the_field(tmp_path: Path) -> None:
    missing = tmp_path / "nope.crt"
    with pytest.raises(UserError, match=r"^mqtt\.tls\.ca_file: cannot use .*nope\.crt"):
        client_options(mqtt_settings(tls=TlsSettings(ca_file=missing)))
    with pytest.raises(UserError, match=r"^mqtt\.tls\.certfile: cannot load"):
        client_options(mqtt_settings(tls=TlsSettings(certfile=missing, keyfile=missing)))
    with pytest.raises(UserError, match=r"^mqtt\.tls\.keyfile: expected mqtt\.tls\.certfile"):
        client_options(mqtt_settings(tls=TlsSettings(keyfile=missing)))


def test_a_closed_sockets_late_registration_is_not_an_error_but_others_are() -> None:
    import asyncio
    import errno

    from treadpace.mqtt.bridge import _closed_socket_race

    seen: list[object] = []
    handle = _closed_socket_race(lambda loop, context: seen.append(context["exception"]))
    loop = asyncio.new_event_loop()
    try:
        handle(loop, {"message": "add_writer", "exception": OSError(errno.EBADF, "bad fd")})
        assert seen == []  # the broker's loss is said by the bridge; this is its echo
        other = OSError(errno.ECONNRESET, "reset")
        handle(loop, {"message": "x", "exception": other})
        boom = RuntimeError("a real bug")
        handle(loop, {"message": "x", "exception": boom})
        assert seen == [other, boom]
    finally:
        loop.close()
