"""Where the live page is served, and whether it needs a token.

`HOST:PORT` as the runner writes it (`--web`, the profile's `web.listen`),
checked here once so the command line and the profile give the same one-line
error; plain standard library, below both the profile and the web server. A
loopback address is reachable only from this machine, so it needs no token;
anything else (a LAN address, `0.0.0.0`) is reachable by everyone on the network
and gets a random token per run.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
from dataclasses import dataclass

DEFAULT_LISTEN = "127.0.0.1:8080"


@dataclass(frozen=True)
class Listen:
    host: str
    port: int

    @property
    def loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def url_host(self) -> str:
        """A host a phone can type: the machine's LAN address for a wildcard bind."""
        host = self.host
        if host in ("0.0.0.0", "::", ""):
            host = lan_address() or "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return host

    def url(self, token: str | None) -> str:
        query = f"?token={token}" if token else ""
        return f"http://{self.url_host()}:{self.port}/{query}"


def parse_listen(text: str) -> Listen:
    """`HOST:PORT`, `PORT`, or `[IPv6]:PORT`; ValueError says what was expected."""
    text = text.strip()
    expected = f"expected HOST:PORT like {DEFAULT_LISTEN}"
    if not text:
        raise ValueError(f"{expected}, got an empty value")
    if text.isdigit():
        host, port_text = "127.0.0.1", text
    elif text.startswith("["):
        host, sep, port_text = text[1:].partition("]:")
        if not sep:
            raise ValueError(f"{expected}, got {text!r}")
    else:
        host, sep, port_text = text.rpartition(":")
        if not sep or not host or ":" in host:
            raise ValueError(f"{expected}, got {text!r}")
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ValueError(f"{expected} (port 1-65535), got {text!r}")
    if host != "localhost":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if not all(part.isalnum() or "-" in part for part in host.split(".")):
                raise ValueError(f"{expected} (an IP address or host name), got {text!r}") from None
    return Listen(host, int(port_text))


def host_name(text: str) -> str:
    """A host name the page may be reached by (`web.allow_hosts`), lower case; ValueError."""
    name = text.strip().lower().rstrip(".")
    labels = name.split(".")
    if not name or len(name) > 253 or not all(_label(label) for label in labels):
        raise ValueError(f"expected a host name like treadmill.local, got {text!r}")
    return name


def _label(label: str) -> bool:
    return 0 < len(label) <= 63 and label.replace("-", "").isalnum() and label.isascii()


def new_token() -> str:
    """A fresh token for one run: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


def lan_address() -> str | None:
    """This machine's address on its default route, or None (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere
            address: str = probe.getsockname()[0]
        except OSError:
            return None
    return address
