"""The page's server against requests a browser or a script could be tricked into sending.

A real server on a free loopback port (`WebServer.start`), so the Host check sees
the address and port the connection really arrived on:

- DNS rebinding: `Host: attacker.example:PORT` with the same `Origin` (both the
  attacker's after the rebinding) is refused on every route and the socket, and
  no command reaches the engine; this server's own names are served.
- Off loopback the page's style and script need the token too, carried by the
  cookie the page itself was answered with.
- Every answer, refusals included, carries the headers that confine the page.
- A WebSocket frame that claims 2^62 bytes closes the socket at once (a raw socket).
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.ports import free_port
from treadpace.base.listen import Listen, host_name
from treadpace.base.user_error import UserError
from treadpace.engine.events import Command
from treadpace.engine.gate import CommandSource, Verdict
from treadpace.plans import load_profile
from treadpace.web.live_state import LiveState
from treadpace.web.page import open_page
from treadpace.web.page_server import MAX_MESSAGE, WebServer, static_files
from treadpace.web.request_guard import host_allowed, split_host

TOKEN = "s3cret-token"
ROUTES = ("/", "/static/app.js", "/static/app.css", "/ws", "/nope")


@dataclass
class Served:
    server: WebServer
    port: int
    calls: list[Command] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


async def serve(token: str | None, **kwargs: Any) -> Served:
    port = free_port()
    served: Served | None = None

    async def handle(command: Command, value: float | None, source: CommandSource) -> Verdict:
        assert served is not None
        served.calls.append(command)
        return Verdict()

    server = WebServer(
        Listen("127.0.0.1", port), token=token, commands=handle, state=LiveState(), **kwargs
    )
    served = Served(server, port)
    await server.start()
    return served


@pytest.fixture
async def loopback() -> AsyncIterator[Served]:
    served = await serve(None, allow_hosts=["treadmill.local"])
    yield served
    await served.server.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


async def status(
    session: aiohttp.ClientSession, method: str, url: str, headers: dict[str, str]
) -> tuple[int, str]:
    async with session.request(method, url, headers=headers) as r:
        return r.status, await r.text()


async def test_a_rebound_name_is_refused_on_every_route_and_never_presses_a_button(
    loopback: Served, session: aiohttp.ClientSession
) -> None:
    evil = f"attacker.example:{loopback.port}"
    headers = {"Host": evil, "Origin": f"http://{evil}"}
    for _ in range(40):  # the presses that took a belt from 9.9 to 13.9 km/h
        code, body = await status(session, "POST", loopback.url("/command/faster"), headers)
        assert code == 403 and "faster" not in body
    for path in ROUTES:
        code, body = await status(session, "GET", loopback.url(path), headers)
        assert code == 403, path  # even a page that does not exist: nothing but 403
        assert "<" not in body and "function" not in body  # no page, no script
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await session.ws_connect(loopback.url("/ws"), headers=headers)
    assert refused.value.status == 403
    # Without an Origin (a script, not a page) the Host alone still decides.
    code, _ = await status(session, "POST", loopback.url("/command/stop"), {"Host": evil})
    assert code == 403
    assert loopback.calls == []
    assert loopback.server.refused == 40 + len(ROUTES) + 2


async def test_this_servers_own_names_are_served(
    loopback: Served, session: aiohttp.ClientSession
) -> None:
    port = loopback.port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "treadmill.local"):
        headers = {"Host": host, "Origin": f"http://{host}"}
        code, body = await status(session, "GET", loopback.url("/"), headers)
        assert code == 200 and "<canvas" in body, host
        code, _ = await status(session, "POST", loopback.url("/command/pause"), headers)
        assert code == 200, host
    assert loopback.calls == [Command.PAUSE] * 4
    # The right address on another port is some other server's name.
    for host in (f"127.0.0.1:{port + 1}", f"localhost:{port + 1}", "127.0.0.1"):
        code, _ = await status(session, "GET", loopback.url("/"), {"Host": host})
        assert code == 403, host


def test_the_host_rule() -> None:
    lan = ("192.168.1.20", 8080)
    ok = ("192.168.1.20:8080", "127.0.0.1:8080", "LOCALHOST:8080", "[::1]:8080", "localhost.:8080")
    for host in ok:
        assert host_allowed(host, lan), host
    bad = (
        "attacker.example:8080",
        "192.168.1.21:8080",  # another machine's address
        "192.168.1.20:8081",
        "192.168.1.20",  # port 80
        "",
        "a:b:c",
        "[::1",
        "[::1]x",
        "localhost:80x",
        "127.0.0.1.attacker.example:8080",
    )
    for host in bad:
        assert not host_allowed(host, lan), host
    # A dual-stack socket reports an IPv4 peer's local address as IPv4-mapped IPv6.
    assert host_allowed("192.168.1.20:8080", ("::ffff:192.168.1.20", 8080))
    assert host_allowed("[fe80::1]:8080", ("fe80::1%eth0", 8080))
    # A configured name, on any port (a proxy in front may forward its own).
    names = frozenset({"treadmill.local"})
    assert host_allowed("Treadmill.Local:443", lan, names)
    assert not host_allowed("treadmill.local.attacker.example:8080", lan, names)
    assert split_host("[::1]:81") == ("::1", 81) and split_host("x:") == ("x", None)
    assert host_name("Treadmill.Local.") == "treadmill.local"
    for bad_name in ("", "a b", "*.local", "x:80", "a..b", "-" * 64):
        with pytest.raises(ValueError, match="host name"):
            host_name(bad_name)


async def test_off_loopback_the_style_and_script_need_the_token_too(
    session: aiohttp.ClientSession,
) -> None:
    served = await serve(TOKEN)
    try:
        for name in ("app.js", "app.css"):
            code, body = await status(session, "GET", served.url(f"/static/{name}"), {})
            assert code == 403 and "function" not in body
            wrong = served.url(f"/static/{name}?token=wrong")
            assert (await status(session, "GET", wrong, {}))[0] == 403
            right = served.url(f"/static/{name}?token={TOKEN}")
            assert (await status(session, "GET", right, {}))[0] == 200
        # The page loads its files without the token in their address: the page's
        # answer gives the browser a cookie for this server that carries it.
        async with session.get(served.url(f"/?token={TOKEN}")) as page:
            assert page.status == 200
            cookie = page.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        pair = cookie.split(";", 1)[0]
        assert pair == f"treadpace-{served.port}={TOKEN}"
        code, body = await status(session, "GET", served.url("/static/app.js"), {"Cookie": pair})
        assert code == 200 and body == static_files()["app.js"].decode()
        # The cookie opens the files only: the page, the socket and commands still
        # need the token itself (a script never holds the cookie).
        assert (await status(session, "GET", served.url("/"), {"Cookie": pair}))[0] == 403
        post = served.url("/command/stop")
        assert (await status(session, "POST", post, {"Cookie": pair}))[0] == 403
        assert served.calls == []
    finally:
        await served.server.close()


async def test_every_answer_carries_the_headers_that_confine_the_page(
    loopback: Served, session: aiohttp.ClientSession
) -> None:
    port = loopback.port
    own = {"Host": f"127.0.0.1:{port}"}
    answers = [
        ("GET", "/", own),
        ("GET", "/static/app.js", own),
        ("GET", "/nope", own),
        ("POST", "/command/explode", own),
        ("GET", "/", {"Host": "attacker.example"}),
        ("GET", "/", {**own, "Origin": "http://evil.example"}),
    ]
    for method, path, headers in answers:
        async with session.request(method, loopback.url(path), headers=headers) as r:
            csp = r.headers["Content-Security-Policy"]
            assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp
            assert r.headers["Referrer-Policy"] == "no-referrer"
            assert r.headers["X-Content-Type-Options"] == "nosniff"
            assert r.headers["X-Frame-Options"] == "DENY"
    async with session.get(loopback.url("/"), headers=own) as r:
        assert (
            f"connect-src 'self' ws://127.0.0.1:{port} wss://127.0.0.1:{port}"
            in (r.headers["Content-Security-Policy"])
        )
    async with session.ws_connect(loopback.url("/ws")) as ws:
        assert "Content-Security-Policy" in ws._response.headers


class _Markup(HTMLParser):
    """What a CSP without 'unsafe-inline' would block in the page's HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.inline.append("a script without src")
        if tag == "style":
            self.inline.append("a style element")
        self.inline += [f"{tag} {n}=" for n in names if n == "style" or n.startswith("on")]
        self._in_script = tag == "script"

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append("script text")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


def test_the_page_has_nothing_inline_that_the_policy_would_block() -> None:
    markup = _Markup()
    markup.feed(static_files()["index.html"].decode())
    assert markup.inline == []
    script = static_files()["app.js"].decode()
    assert not re.search(r"\beval\(|new Function\(|setAttribute\(\s*[\"']style", script)


async def test_a_frame_claiming_two_to_the_62_bytes_closes_the_socket_at_once(
    loopback: Served,
) -> None:
    assert MAX_MESSAGE <= 64 * 1024
    reader, writer = await asyncio.open_connection("127.0.0.1", loopback.port)
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{loopback.port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        async with asyncio.timeout(10):
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 101")
            # A text frame, masked as a client's must be, that says 2^62 bytes follow;
            # a few payload bytes are sent, never the rest.
            writer.write(b"\x81\xff" + struct.pack("!Q", 2**62) + os.urandom(4) + b"x" * 16)
            await writer.drain()
            closing = b""
            while chunk := await reader.read(65536):
                closing += chunk
        frames = _close_frames(closing)
        assert frames == [1009], closing[:64]  # Message Too Big, then the server hangs up
    finally:
        writer.close()
        await writer.wait_closed()


def _close_frames(data: bytes) -> list[int]:
    """The close codes in what the server sent (its hello may come first)."""
    codes, i = [], 0
    while i + 2 <= len(data):
        opcode, length = data[i] & 0x0F, data[i + 1] & 0x7F
        i += 2
        if length == 126:
            length, i = struct.unpack("!H", data[i : i + 2])[0], i + 2
        elif length == 127:
            length, i = struct.unpack("!Q", data[i : i + 8])[0], i + 8
        if opcode == 0x8:
            codes.append(struct.unpack("!H", data[i : i + 2])[0])
        i += length
    return codes


def test_a_bad_extra_host_name_in_the_profile_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "profile.yaml"
    race = "race: {distance: 5k, time: '25:00'}\n"
    path.write_text(race + "web:\n  allow_hosts: [treadmill.local, 'evil host']\n")
    with pytest.raises(UserError) as err:
        load_profile(path)
    message = str(err.value)
    assert "\n" not in message and f"{path}:3" in message and "allow_hosts" in message
    assert "expected a host name like treadmill.local" in message
    good = tmp_path / "good.yaml"
    good.write_text(race + "web:\n  allow_hosts: [Treadmill.Local]\n")
    assert load_profile(good).web.allow_hosts == ["treadmill.local"]


async def test_the_runs_page_answers_the_names_the_profile_allows(
    session: aiohttp.ClientSession,
) -> None:
    port = free_port()
    server = await open_page(
        Listen("127.0.0.1", port), allow_remote_start=False, allow_hosts=["treadmill.local"]
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        assert (await status(session, "GET", url, {"Host": "treadmill.local:8080"}))[0] == 200
        assert (await status(session, "GET", url, {"Host": "other.local:8080"}))[0] == 403
    finally:
        await server.close()


async def test_a_page_served_on_a_name_answers_that_name(session: aiohttp.ClientSession) -> None:
    port = free_port()
    server = WebServer(Listen("localhost", port), token=None, state=LiveState())
    await server.start()
    try:
        url = f"http://127.0.0.1:{port}/"
        assert (await status(session, "GET", url, {"Host": f"localhost:{port}"}))[0] == 200
        assert (await status(session, "GET", url, {"Host": "localhost.evil:80"}))[0] == 403
    finally:
        await server.close()
