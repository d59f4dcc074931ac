"""The MQTT settings the bridge reads, and how they become an aiomqtt client.

The profile's pydantic `MqttSettings` is the real source; the bridge only
depends on the fields below (a structural Protocol), so tests and other
callers may hand it any object with the same attributes. Turning settings into
client arguments lives here so that one place decides how secrets travel: the
password goes straight from the `SecretStr` into the client and is never
formatted into a message.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from treadpace.base.user_error import UserError

if TYPE_CHECKING:
    from pydantic import SecretStr


class TlsSettingsLike(Protocol):
    @property
    def ca_file(self) -> Path | None: ...

    @property
    def certfile(self) -> Path | None: ...

    @property
    def keyfile(self) -> Path | None: ...


class MqttSettingsLike(Protocol):
    """The fields of the profile's `mqtt:` section that the bridge reads."""

    @property
    def enabled(self) -> bool: ...

    @property
    def host(self) -> str: ...

    @property
    def port(self) -> int: ...

    @property
    def base_topic(self) -> str: ...

    @property
    def client_id(self) -> str | None: ...

    @property
    def username(self) -> str | None: ...

    @property
    def password(self) -> SecretStr | None: ...

    @property
    def tls(self) -> TlsSettingsLike | None: ...

    @property
    def discovery(self) -> bool: ...

    @property
    def discovery_prefix(self) -> str: ...

    @property
    def allow_remote_start(self) -> bool: ...

    @property
    def keepalive(self) -> int: ...


def tls_context(tls: TlsSettingsLike) -> ssl.SSLContext:
    """A verifying client context: the CA file (or the system store), optional client cert.

    Unreadable files are the runner's configuration problem, so they surface as a
    UserError before any run starts rather than as a broker failure later.
    """
    ca = tls.ca_file.expanduser() if tls.ca_file is not None else None
    certfile = tls.certfile.expanduser() if tls.certfile is not None else None
    keyfile = tls.keyfile.expanduser() if tls.keyfile is not None else None
    try:
        ctx = ssl.create_default_context(cafile=str(ca) if ca is not None else None)
    except (OSError, ssl.SSLError) as exc:
        raise UserError(f"mqtt.tls.ca_file: cannot use {ca}: {_reason(exc)}") from None
    if certfile is not None:
        try:
            ctx.load_cert_chain(str(certfile), str(keyfile) if keyfile is not None else None)
        except (OSError, ssl.SSLError) as exc:
            raise UserError(
                f"mqtt.tls.certfile: cannot load {certfile}"
                f"{f' with key {keyfile}' if keyfile else ''}: {_reason(exc)}"
            ) from None
    elif keyfile is not None:
        raise UserError("mqtt.tls.keyfile: expected mqtt.tls.certfile as well")
    return ctx


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def client_options(settings: MqttSettingsLike) -> dict[str, Any]:
    """Keyword arguments for `aiomqtt.Client` (everything but the will and logger)."""
    options: dict[str, Any] = {
        "hostname": settings.host,
        "port": settings.port,
        "keepalive": settings.keepalive,
        "identifier": settings.client_id,
    }
    # `${VAR:-}` in a profile leaves an empty string when VAR is unset: that means
    # "no credentials", not an empty user name.
    if settings.username:
        options["username"] = settings.username
        password = settings.password.get_secret_value() if settings.password else ""
        if password:
            options["password"] = password
    if settings.tls is not None:
        options["tls_context"] = tls_context(settings.tls)
    return options


def describe(settings: MqttSettingsLike) -> str:
    """Where we connect, for log lines: host, port, user and TLS, never the password."""
    who = f"{settings.username}@" if settings.username else ""
    scheme = "mqtts" if settings.tls is not None else "mqtt"
    return f"{scheme}://{who}{settings.host}:{settings.port}"
