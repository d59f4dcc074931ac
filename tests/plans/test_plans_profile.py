"""Profiles: defaults, paces from a race or by hand, friendly limits, secrets from the env."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.where import ROOT
from treadpace.base.user_error import UserError
from treadpace.library import load_and_compile
from treadpace.plans import Profile, default_profile, load_profile
from treadpace.plans.yaml_document import FieldError


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TREADPACE_PROFILE", raising=False)
    monkeypatch.setenv("TREADPACE_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("TREADPACE_HOME", str(tmp_path / "data"))


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_built_in_default(tmp_path: Path) -> None:
    p = load_profile(None)
    assert p.is_default and p.units == "metric" and not p.imperial
    assert p.vdot == pytest.approx(38.309, abs=0.001)
    assert p.max_speed_kmh == 16 and p.max_incline_percent == 10
    assert p.manual_change == "offset"
    assert p.recording.directory == tmp_path / "data" / "runs"
    assert p.recording.auto_export == ["fit", "tcx"]
    assert p.treadmill.simulator_model == "generic" and p.treadmill.address is None
    assert (p.mqtt.enabled, p.mqtt.host, p.mqtt.port, p.mqtt.base_topic) == (
        False,
        "localhost",
        1883,
        "treadpace",
    )
    assert (p.mqtt.allow_remote_start, p.mqtt.discovery, p.mqtt.keepalive) == (False, True, 30)
    assert p.mqtt.discovery_prefix == "homeassistant"
    paces = p.paces.named()
    assert paces["easy"] == pytest.approx((p.paces.easy_min or 0) / 2 + (p.paces.easy_max or 0) / 2)
    assert paces["steady"] == pytest.approx((paces["easy"] + paces["marathon"]) / 2)


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "config"
    home.mkdir()
    write(home, "name: From config home\nrace: {distance: 10k, time: '50:00'}\n", "profile.yaml")
    assert load_profile(None).name == "From config home"
    assert not load_profile(None).is_default
    env = write(tmp_path, "name: From env\nrace: {distance: 5k, time: '20:00'}\n")
    monkeypatch.setenv("TREADPACE_PROFILE", str(env))
    assert load_profile(None).name == "From env"
    explicit = write(tmp_path, "name: Explicit\nrace: {distance: 5k, time: '22:00'}\n", "e.yaml")
    assert load_profile(explicit).name == "Explicit"


def test_missing_env_profile_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TREADPACE_PROFILE", str(tmp_path / "nope.yaml"))
    with pytest.raises(UserError, match=r"nope\.yaml: expected an existing profile file"):
        load_profile(None)


def test_shipped_runner_a_and_b() -> None:
    a = load_profile(ROOT / "configs/profiles/metric.yaml")
    assert a.name == "Runner A" and a.units == "metric"
    assert a.paces.easy == pytest.approx(390) and a.paces.interval == pytest.approx(294)
    assert a.paces.steady == pytest.approx(367.5)
    assert a.heart_rate.bounds() == (120, 132, 144, 156, 168, 180)
    b = load_profile(ROOT / "configs/profiles/imperial.yaml")
    assert b.imperial and b.vdot is None
    assert b.paces.marathon * 1.609344 == pytest.approx(7 * 60 + 17)
    assert b.paces.steady * 1.609344 == pytest.approx(7 * 60 + 53.5)
    assert b.max_speed_kmh == pytest.approx(16.09344)
    assert b.max_incline_percent == 12
    assert b.manual_change == "hold"


def test_explicit_paces_override_the_race() -> None:
    p = Profile.model_validate(
        {"race": {"distance": "5k", "time": "25:00"}, "paces": {"easy": "6:40/km"}}
    )
    assert p.paces.easy == 400 and p.paces.easy_min is None
    assert p.paces.threshold == pytest.approx(316.35, abs=0.01)  # derived


def test_paces_without_a_race_need_the_four_main_ones() -> None:
    with pytest.raises(FieldError, match="expected paces for threshold, interval"):
        Profile.model_validate({"paces": {"easy": "6:30/km", "marathon": "5:45/km"}})


def test_friendly_speed_spellings() -> None:
    assert (
        Profile.model_validate(
            {"race": {"distance": "5k", "time": "25:00"}, "max_speed": "18 km/h"}
        ).max_speed_kmh
        == 18
    )
    metric_number = Profile.model_validate(
        {"race": {"distance": "5k", "time": "25:00"}, "max_speed": 14}
    )
    assert metric_number.max_speed_kmh == 14
    imperial_number = Profile.model_validate(
        {"units": "imperial", "race": {"distance": "5k", "time": "25:00"}, "max_speed": 10}
    )
    assert imperial_number.max_speed_kmh == pytest.approx(16.09344)


def test_env_expansion_for_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MQTT_PW", "s3cret")
    path = write(
        tmp_path,
        "race: {distance: 5k, time: '25:00'}\n"
        "mqtt:\n  enabled: true\n  username: ${MQTT_USER:-runner}\n  password: ${MQTT_PW}\n"
        "  tls: true\n",
    )
    p = load_profile(path)
    assert p.mqtt.username == "runner"
    assert p.mqtt.password is not None and p.mqtt.password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(p)
    assert p.mqtt.tls is not None and p.mqtt.tls.ca_file is None


def test_missing_env_var_names_file_field_and_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_VAR", raising=False)
    path = write(
        tmp_path, "race: {distance: 5k, time: '25:00'}\nmqtt:\n  password: ${NO_SUCH_VAR}\n"
    )
    with pytest.raises(UserError) as err:
        load_profile(path)
    assert str(err.value) == (
        f"{path}:3: mqtt.password: expected environment variable NO_SUCH_VAR to be set"
    )


def test_default_profile_is_a_fresh_object() -> None:
    a, b = default_profile(), default_profile()
    assert a is not b and a.is_default and b.is_default
    assert not Profile.model_validate({"race": {"distance": "5k", "time": "25:00"}}).is_default


def test_load_and_compile_uses_the_profile(tmp_path: Path) -> None:
    compiled, prof = load_and_compile(
        str(ROOT / "configs/plans/thirds.yaml"), ROOT / "configs/profiles/imperial.yaml"
    )
    assert prof.name == "Runner B"
    assert compiled.steps[2].speed_kmh == pytest.approx(14.1308, abs=0.001)


def test_mqtt_settings_fit_the_bridge(tmp_path: Path) -> None:
    from treadpace.mqtt.settings import client_options, describe

    path = write(
        tmp_path,
        "race: {distance: 5k, time: '25:00'}\n"
        "mqtt: {enabled: true, host: broker.lan, port: 8883, username: me, password: pw,\n"
        "       client_id: belt, keepalive: 15, allow_remote_start: true}\n",
    )
    settings = load_profile(path).mqtt
    options = client_options(settings)
    assert options == {
        "hostname": "broker.lan",
        "port": 8883,
        "keepalive": 15,
        "identifier": "belt",
        "username": "me",
        "password": "pw",
    }
    assert describe(settings) == "mqtt://me@broker.lan:8883"
    assert settings.allow_remote_start and settings.base_topic == "treadpace"
