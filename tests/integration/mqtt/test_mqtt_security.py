"""A locked-down broker: password file + TLS with a client certificate, and no secret in logs."""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from tests.mqtt_broker import (
    MOSQUITTO,
    NO_MOSQUITTO,
    OPENSSL,
    Broker,
    CertFiles,
    listening,
    make_certs,
    mqtt_settings,
)
from treadpace.engine.events import Command, RunState, Tick
from treadpace.engine.gate import CommandSource
from treadpace.engine.hub import EventHub
from treadpace.mqtt import MqttBridge
from treadpace.plans.profile import MqttSettings, TlsSettings

pytestmark = [
    pytest.mark.skipif(MOSQUITTO is None, reason=NO_MOSQUITTO),
    pytest.mark.skipif(OPENSSL is None, reason="openssl command line not installed"),
]

PASSWORD = "correct-horse-battery-staple-7781"
WRONG = "wrong-password-5519"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertFiles:
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def broker(tmp_path: Path, certs: CertFiles) -> Iterator[Broker]:
    b = Broker(tmp_path / "broker", users={"runner": PASSWORD}, certs=certs)
    b.start()
    yield b
    b.stop()


def settings(broker: Broker, certs: CertFiles, password: str, **kw: object) -> MqttSettings:
    return mqtt_settings(
        host=broker.host,
        port=broker.port,
        username="runner",
        password=SecretStr(password),
        tls=TlsSettings(ca_file=certs.ca, certfile=certs.client_cert, keyfile=certs.client_key),
        **kw,
    )


def tick(t: float) -> Tick:
    return Tick(
        t=t, wall=1_767_225_600.0 + t, state=RunState.RUNNING, step_index=0, step_name="easy",
        speed_kmh=10.0, target_speed_kmh=10.0, incline_percent=1.0, target_incline_percent=1.0,
        heart_rate_bpm=None, distance_m=t * 2.78, elapsed_s=t, step_elapsed_s=t,
        step_distance_m=t * 2.78, step_remaining=600 - t, progress=t / 600,
    )  # fmt: skip


def tls_context(certs: CertFiles) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(certs.ca))
    ctx.load_cert_chain(str(certs.client_cert), str(certs.client_key))
    return ctx


async def test_right_credentials_over_tls_carry_the_run_and_commands(
    broker: Broker, certs: CertFiles, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    calls: list[Command] = []

    async def commands(command: Command, value: float | None, source: CommandSource) -> None:
        calls.append(command)

    hub = EventHub()
    bridge = MqttBridge(settings(broker, certs, PASSWORD), commands=commands)
    task = asyncio.create_task(bridge.run(hub.subscribe(maxsize=32)))
    async with listening(
        broker, username="runner", password=PASSWORD, tls_context=tls_context(certs)
    ) as lst:
        await lst.wait_for(lambda s: s.on("treadpace/availability"))
        hub.publish(tick(5.0))
        seen = await lst.wait_for(lambda s: s.on("treadpace/telemetry"))
        assert json.loads(seen[0].payload)["speed_kmh"] == 10.0
        await lst.publish("treadpace/command/pause", "PRESS")
        await lst.wait_for(lambda s: calls)
        hub.close()
        await asyncio.wait_for(task, 5)
    assert calls == [Command.PAUSE]
    assert bridge.connections == 1
    assert "mqtts://runner@127.0.0.1" in caplog.text
    assert PASSWORD not in caplog.text


async def test_wrong_password_is_refused_logged_once_and_the_run_goes_on(
    broker: Broker, certs: CertFiles, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    hub = EventHub()
    bridge = MqttBridge(
        settings(broker, certs, WRONG),
        commands=lambda c, v, s: asyncio.sleep(0),
        reconnect_min_s=0.05,
        reconnect_max_s=0.2,
    )
    task = asyncio.create_task(bridge.run(hub.subscribe(maxsize=8)))
    for i in range(30):
        hub.publish(tick(i * 0.25))
        await asyncio.sleep(0.01)
    assert not task.done()
    hub.close()
    await asyncio.wait_for(task, 3)
    assert task.result() is None
    assert bridge.connections == 0
    refusals = [
        r
        for r in caplog.records
        if "cannot connect" in r.getMessage() and r.levelno >= logging.WARNING
    ]
    assert len(refusals) == 1  # then quieter retries, with backoff
    assert "user name or password" in refusals[0].getMessage().lower() or "authori" in (
        refusals[0].getMessage().lower()
    )
    assert WRONG not in caplog.text
    # The broker saw the attempt and turned it away.
    assert "not authorised" in broker.log_text().lower()


async def test_without_a_client_certificate_the_tls_broker_refuses(
    broker: Broker, certs: CertFiles, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    no_cert = mqtt_settings(
        host=broker.host,
        port=broker.port,
        username="runner",
        password=SecretStr(PASSWORD),
        tls=TlsSettings(ca_file=certs.ca),
    )
    hub = EventHub()
    bridge = MqttBridge(
        no_cert, commands=lambda c, v, s: asyncio.sleep(0), reconnect_min_s=0.05, io_timeout_s=0.3
    )
    task = asyncio.create_task(bridge.run(hub.subscribe(maxsize=8)))
    for i in range(40):
        hub.publish(tick(i * 0.25))
        await asyncio.sleep(0.01)
        if "cannot connect" in caplog.text:
            break
    assert not task.done()
    hub.close()
    await asyncio.wait_for(task, 3)
    assert bridge.connections == 0
    assert "cannot connect to mqtts://runner@127.0.0.1" in caplog.text
    assert "certificate required" in caplog.text
    assert PASSWORD not in caplog.text


def profile_yaml(broker: Broker, certs: CertFiles) -> str:
    return f"""\
name: Runner A
race: {{distance: 5k, time: "25:00"}}
mqtt:
  enabled: true
  host: {broker.host}
  port: {broker.port}
  base_topic: home/treadmill
  username: runner
  password: ${{TEST_TREADPACE_MQTT_PASSWORD}}
  tls:
    ca_file: {certs.ca}
    certfile: {certs.client_cert}
    keyfile: {certs.client_key}
"""


async def test_a_real_profile_with_the_password_from_the_environment(
    broker: Broker,
    certs: CertFiles,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from treadpace.plans import load_profile

    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("TEST_TREADPACE_MQTT_PASSWORD", PASSWORD)
    path = tmp_path / "profile.yaml"
    path.write_text(profile_yaml(broker, certs))
    profile = load_profile(path)
    assert PASSWORD not in repr(profile)

    hub = EventHub()
    bridge = MqttBridge(
        profile.mqtt, commands=lambda c, v, s: asyncio.sleep(0), device_name=profile.name
    )
    task = asyncio.create_task(bridge.run(hub.subscribe(maxsize=8)))
    async with listening(
        broker, username="runner", password=PASSWORD, tls_context=tls_context(certs)
    ) as lst:
        await lst.wait_for(lambda s: s.on("home/treadmill/availability"))
        config = await lst.wait_for(
            lambda s: s.on("homeassistant/sensor/home_treadmill/speed/config")
        )
        assert json.loads(config[-1].payload)["device"]["name"] == "Runner A"
        hub.close()
        await asyncio.wait_for(task, 5)
        await lst.wait_for(lambda s: s.on("home/treadmill/availability")[-1].payload == b"offline")
    assert PASSWORD not in caplog.text

    # `treadpace mqtt remove-discovery --profile` clears what the run left retained.
    import typer
    from typer.testing import CliRunner

    from treadpace.commands import mqtt as mqtt_command

    app = typer.Typer()
    mqtt_command.register(app)
    result = await asyncio.to_thread(
        CliRunner().invoke, app, ["mqtt", "remove-discovery", "--profile", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "cleared" in result.output and "mqtts://runner@127.0.0.1" in result.output
    assert PASSWORD not in result.output
    async with listening(
        broker, username="runner", password=PASSWORD, tls_context=tls_context(certs)
    ) as after:
        await after.publish("test/marker", "x")
        await after.wait_for(lambda s: s.on("test/marker"))
        assert [m.topic for m in after.messages if m.retain] == []


async def test_remove_discovery_reports_a_refusing_broker_as_one_line(
    broker: Broker, certs: CertFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from treadpace.base.user_error import UserError
    from treadpace.mqtt import remove_discovery
    from treadpace.plans import load_profile

    monkeypatch.setenv("TEST_TREADPACE_MQTT_PASSWORD", WRONG)
    path = tmp_path / "profile.yaml"
    path.write_text(profile_yaml(broker, certs))
    with pytest.raises(UserError) as err:
        await remove_discovery(load_profile(path).mqtt)
    message = str(err.value)
    assert message.startswith("mqtt: cannot remove discovery from mqtts://runner@127.0.0.1")
    assert "\n" not in message and WRONG not in message
