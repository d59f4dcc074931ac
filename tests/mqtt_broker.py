"""A real MQTT broker for tests: mosquitto on a free loopback port, config in tmp_path.

`Broker` writes a config (anonymous, or a password file, optionally TLS with a
client certificate), starts mosquitto, waits until it accepts connections, and
can be killed (SIGKILL, as a crash) and started again on the same port.
`make_certs` generates a throw-away CA, server and client certificates with the
openssl command line. `Listener` is an aiomqtt subscriber that records what
arrives, for assertions. `mqtt_settings()` builds the profile's MQTT settings
(`settings_for` a running broker). The bridge's side: `Recorder` is a command path that
keeps what the bridge handed it, `tick` a run's telemetry at `t`, `online` waits for
the bridge's availability to say so.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiomqtt

from tests.ports import free_port
from treadpace.engine.events import Command, RunState, Tick
from treadpace.engine.gate import CommandSource
from treadpace.plans.profile import MqttSettings

MOSQUITTO = shutil.which("mosquitto") or (
    "/usr/sbin/mosquitto" if os.path.exists("/usr/sbin/mosquitto") else None
)
MOSQUITTO_PASSWD = shutil.which("mosquitto_passwd")
OPENSSL = shutil.which("openssl")
NO_MOSQUITTO = "mosquitto not installed"


@dataclass(frozen=True)
class CertFiles:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def make_certs(directory: Path) -> CertFiles:
    """A CA, a server certificate for 127.0.0.1/localhost and a client certificate."""
    assert OPENSSL is not None
    directory.mkdir(parents=True, exist_ok=True)

    def run(*args: str) -> None:
        subprocess.run([OPENSSL, *args], cwd=directory, check=True, capture_output=True)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run(
        "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
        "-subj", "/CN=treadpace test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    for name, cn, ext in (
        ("server", "localhost", "serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost"),
        ("client", "runner", "clientAuth"),
    ):
        (directory / f"{name}.ext").write_text(
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
            "authorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n"
            f"extendedKeyUsage={ext}\n"
        )
        run("req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={cn}")
        run(
            "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", f"{name}.crt", "-days", "2",
            "-extfile", f"{name}.ext",
        )  # fmt: skip
    return CertFiles(
        ca=directory / "ca.crt",
        server_cert=directory / "server.crt",
        server_key=directory / "server.key",
        client_cert=directory / "client.crt",
        client_key=directory / "client.key",
    )


class Broker:
    def __init__(
        self,
        workdir: Path,
        *,
        users: dict[str, str] | None = None,
        certs: CertFiles | None = None,
    ) -> None:
        assert MOSQUITTO is not None, NO_MOSQUITTO
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.host = "127.0.0.1"
        self.port = free_port()
        self.users = users
        self.certs = certs
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = workdir / "mosquitto.log"
        self.config = workdir / "mosquitto.conf"
        self._write_config()

    def _write_config(self) -> None:
        lines = [
            f"listener {self.port} {self.host}",
            "persistence false",
            f"log_dest file {self.log}",
            "log_type all",
        ]
        if os.geteuid() == 0:
            # As root mosquitto drops to the "mosquitto" user, which cannot read tmp_path.
            lines.append("user root")
        if self.users is not None:
            assert MOSQUITTO_PASSWD is not None
            pwfile = self.workdir / "passwd"
            pwfile.write_text("")
            for user, password in self.users.items():
                subprocess.run(
                    [MOSQUITTO_PASSWD, "-b", str(pwfile), user, password],
                    check=True,
                    capture_output=True,
                )
            lines += ["allow_anonymous false", f"password_file {pwfile}"]
        else:
            lines.append("allow_anonymous true")
        if self.certs is not None:
            lines += [
                f"cafile {self.certs.ca}",
                f"certfile {self.certs.server_cert}",
                f"keyfile {self.certs.server_key}",
                "require_certificate true",
            ]
        self.config.write_text("\n".join(lines) + "\n")

    def start(self) -> None:
        assert MOSQUITTO is not None
        stderr = self.workdir / "stderr.txt"
        with stderr.open("ab") as err:
            self.proc = subprocess.Popen(
                [MOSQUITTO, "-c", str(self.config)], stdout=subprocess.DEVNULL, stderr=err
            )
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                why = stderr.read_text(errors="replace")
                raise RuntimeError(f"mosquitto exited: {why}{self.log_text()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection((self.host, self.port), timeout=0.2),
            ):
                return
            time.sleep(0.01)
        raise RuntimeError(f"mosquitto did not listen on {self.port}: {self.log_text()}")

    def kill(self) -> None:
        """Die like a crash (SIGKILL): connections drop without a goodbye."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(5)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def mqtt_settings(**fields: Any) -> MqttSettings:
    """The profile's real `mqtt:` model, enabled and pointed at loopback by default."""
    fields.setdefault("enabled", True)
    fields.setdefault("host", "127.0.0.1")
    return MqttSettings(**fields)


@dataclass
class Seen:
    topic: str
    payload: bytes
    retain: bool


@dataclass
class Listener:
    """Everything published on the broker (`#`), kept in arrival order."""

    messages: list[Seen] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    client: aiomqtt.Client | None = None

    def on(self, topic: str) -> list[Seen]:
        return [m for m in self.messages if m.topic == topic]

    async def wait_for(self, predicate: Callable[[Listener], Any], timeout: float = 5.0) -> Any:
        """Wait until `predicate(self)` is truthy and return its value (timeout: fail)."""
        async with asyncio.timeout(timeout):
            while True:
                result = predicate(self)
                if result:
                    return result
                self._changed.clear()
                await self._changed.wait()

    async def bridge_online(self, prefix: str = "treadpace", timeout: float = 15.0) -> None:
        """Wait until the bridge said it is online: it subscribes to its commands first,
        so a command published after this is heard (one before it may be lost)."""
        topic = f"{prefix}/availability"
        await self.wait_for(lambda s: any(m.payload == b"online" for m in s.on(topic)), timeout)

    async def publish(self, topic: str, payload: str, *, retain: bool = False) -> None:
        assert self.client is not None
        await self.client.publish(topic, payload, qos=1, retain=retain)


@contextlib.asynccontextmanager
async def listening(broker: Broker, **client_kwargs: Any) -> AsyncIterator[Listener]:
    listener = Listener()
    async with aiomqtt.Client(broker.host, broker.port, **client_kwargs) as client:
        listener.client = client
        await client.subscribe("#", qos=1)

        async def pump() -> None:
            async for m in client.messages:
                payload = m.payload if isinstance(m.payload, bytes) else str(m.payload).encode()
                listener.messages.append(Seen(str(m.topic), payload, m.retain))
                listener._changed.set()

        task = asyncio.create_task(pump())
        try:
            yield listener
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
                await task


class Recorder:
    """The bridge's command path: keeps each command, its value and its source."""

    def __init__(self) -> None:
        self.calls: list[tuple[Command, float | None]] = []
        self.sources: set[CommandSource] = set()
        self.changed = asyncio.Event()

    async def __call__(self, command: Command, value: float | None, source: CommandSource) -> None:
        self.calls.append((command, value))
        self.sources.add(source)
        self.changed.set()


def tick(t: float, **kw: object) -> Tick:
    values: dict[str, object] = dict(
        t=t, wall=1_767_225_600.0 + t, state=RunState.RUNNING, step_index=0,
        step_name="warm-up", speed_kmh=9.0, target_speed_kmh=9.0, incline_percent=0.0,
        target_incline_percent=0.0, heart_rate_bpm=140, distance_m=2.5 * t, elapsed_s=t,
        step_elapsed_s=t, step_distance_m=2.5 * t, step_remaining=120.0 - t,
        progress=t / 760.0,
    )  # fmt: skip
    values.update(kw)
    return Tick(**values)  # type: ignore[arg-type]


def settings_for(broker: Broker, **kw: object) -> MqttSettings:
    return mqtt_settings(host=broker.host, port=broker.port, **kw)


def payloads(lst: Listener, topic: str) -> list[str]:
    return [m.payload.decode() for m in lst.on(topic)]


async def online(lst: Listener) -> None:
    await lst.wait_for(lambda s: payloads(s, "treadpace/availability")[-1:] == ["online"])
