"""The page's server: aiohttp in the run's own event loop, one WebSocket per page.

Nothing here can hold the engine up, whatever a page (or a hostile client) does:

- `run()` reads the engine's bounded subscription and only updates memory
  (`LiveState`); what pages get is built once per change as JSON text and shared.
- Each page has its own sender task and a bounded outbox (`pages.Page`): the
  numbers are coalesced, a hello sent at most every few seconds, and a client that
  does not take what is sent is closed.
- What a page sends is rate limited (`MESSAGE_RATE` a second, a burst of
  `MESSAGE_BURST`): the excess is dropped, and a page that keeps flooding is closed.
  Commands over HTTP are limited per client address the same way (429). At most
  `MAX_PAGES` sockets are open at once, and new ones come at a bounded rate (503).
- A frame larger than `MAX_MESSAGE` closes the socket before its payload is read.

Commands from a page go to the one handler it was given (the engine's
`command`), one at a time and marked `CommandSource.REMOTE`, so the remote-start
gate decides for the page exactly as it does for MQTT; the answer (an ack, or the
HTTP status) is the engine's own verdict. A command is acted on once, when it
arrives: nothing is queued for a page that is away, nothing replayed.

Security (`guard`): every request, the socket included, must name this server
in its Host (DNS rebinding), come from no page or this one (Origin), and off
loopback carry the run's token; every answer carries the headers that confine
the page (CSP, no referrer, no framing, no sniffing). Refusals are logged once
per kind and client, repeats counted (`repeats`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from importlib import resources
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from treadpace.base.listen import Listen
from treadpace.base.rate_limit import TokenBucket
from treadpace.base.repeats import RepeatFilter, repeated
from treadpace.base.user_error import UserError
from treadpace.engine.events import Command
from treadpace.engine.gate import ACCEPTED, CommandPath, CommandSource, Verdict
from treadpace.engine.hub import Subscription
from treadpace.web.live_state import LiveState
from treadpace.web.pages import Page
from treadpace.web.peers import PeerRates
from treadpace.web.request_guard import host_allowed, ip_of, same_origin, security_headers, token_ok

log = logging.getLogger("treadpace.web")

HistoryProvider = Callable[[], dict[str, Any]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Route = tuple[str, str, Handler]  # an appliance route: behind the same guard, token and rate

BUTTONS: dict[str, Command] = {
    "start": Command.START,
    "pause": Command.PAUSE,
    "resume": Command.RESUME,
    "skip": Command.SKIP,
    "stop": Command.STOP,
    "faster": Command.NUDGE_UP,
    "slower": Command.NUDGE_DOWN,
}
"""What a page (or a script) may ask for: the runner's buttons, nothing else."""

STATIC = ("index.html", "app.css", "app.js")
_TYPES = {"html": "text/html", "css": "text/css", "js": "text/javascript"}

MAX_MESSAGE = 1024
"""Bytes in one message from a page (a command is about 60)."""
MAX_PAGES = 10
MESSAGE_RATE, MESSAGE_BURST = 5.0, 10
"""Messages a second a page may send, and how many at once; a thumb makes far fewer."""
FLOOD_CLOSE = 200
"""Messages dropped for the rate after which a page is closed."""
COMMAND_RATE, COMMAND_BURST = 5.0, 10  # the same for `POST /command/NAME`, per client address
API_RATE, API_BURST = 10.0, 20  # the appliance's routes (`/api/...`), per client address
SOCKET_RATE, SOCKET_BURST = 2.0, 10
"""New sockets a second (all clients), and how many at once."""
HISTORY_TTL_S = 5.0
"""The history (read from disk) is read again at most this often."""
_CHECKED_HOST = web.RequestKey("checked_host", str)


def static_files() -> dict[str, bytes]:
    base = resources.files("treadpace.web") / "static"
    return {name: (base / name).read_bytes() for name in STATIC}


class WebServer:
    """Serves the page for one run (`state`), or the history (`history`) when none runs."""

    def __init__(
        self,
        listen: Listen,
        *,
        token: str | None,
        commands: CommandPath | None = None,
        state: LiveState | None = None,
        history: HistoryProvider | None = None,
        min_interval_s: float = 0.25,
        allow_hosts: Iterable[str] = (),
        now: Callable[[], float] = time.monotonic,
        api: Iterable[Route] = (),
    ) -> None:
        self.listen = listen
        self.token = token
        self._commands = commands
        self.state = state
        self._history = history
        self._interval = min_interval_s
        self._now = now
        names = {h.strip().lower().rstrip(".") for h in allow_hosts}
        if listen.host and ip_of(listen.host) is None:
            names.add(listen.host.lower())  # served on a name: that name is this server
        self._names = frozenset(names)
        self._files = static_files()
        self._pages: set[Page] = set()
        self._runner: web.AppRunner | None = None
        self._sockets = TokenBucket(SOCKET_RATE, SOCKET_BURST, now())
        self._peers = PeerRates(COMMAND_RATE, COMMAND_BURST, now)
        self._api_peers = PeerRates(API_RATE, API_BURST, now)
        self._api = tuple(api)
        self._said: RepeatFilter[tuple[str | None, str, str, str]] = RepeatFilter()
        self._history_text: tuple[float, str] | None = None
        self._history_lock = asyncio.Lock()
        self._plan_lock = asyncio.Lock()
        self.refused = 0
        """Requests refused: a foreign Host or Origin, a missing or wrong token, too many."""
        self.commands_done = 0
        self.dropped = 0
        """Messages from pages dropped for their rate."""
        self.history_builds = 0
        self.opened = asyncio.Event()
        """Set when the page itself was first served (with its token): a run on the LAN
        waits for it before the countdown, so the phone has time to scan the QR code."""

    # ------------------------------------------------------------------ lifecycle

    def app(self) -> web.Application:
        app = web.Application(client_max_size=4096, middlewares=[self._guard])
        app.router.add_get("/", self._index)
        app.router.add_get("/static/{name}", self._static)
        app.router.add_get("/ws", self._socket)
        app.router.add_post("/command/{name}", self._post_command)
        for method, path, handler in self._api:
            app.router.add_route(method, path, self._api_route(handler))
        app.on_response_prepare.append(self._headers)
        return app

    async def start(self) -> None:
        """Bind now, before the belt moves: a port in use is the runner's one-line error."""
        runner = web.AppRunner(
            self.app(), access_log=None, handle_signals=False, shutdown_timeout=0.5
        )
        await runner.setup()
        site = web.TCPSite(runner, self.listen.host, self.listen.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            why = exc.strerror or str(exc)
            raise UserError(
                f"--web: cannot listen on {self.listen.host}:{self.listen.port}: {why}"
            ) from None
        self._runner = runner

    @property
    def pages(self) -> tuple[Page, ...]:
        """The pages connected now."""
        return tuple(self._pages)

    def add_routes(self, routes: Iterable[Route]) -> None:
        """More routes (the appliance's), before `start`."""
        self._api = (*self._api, *routes)

    def set_commands(self, commands: CommandPath | None) -> None:
        self._commands = commands

    def show_run(self, state: LiveState, commands: CommandPath) -> None:
        """A new run (the appliance's): every page is sent its whole picture at once."""
        self.state = state
        self._commands = commands
        for page in self._pages:
            page.hello_due = 0.0  # the server's doing, not the page's: no wait
            page.ask_hello()

    def publish(self, message: dict[str, Any] | None) -> None:
        """`message` (if any) to every page, and the latest numbers when they look next."""
        text = json.dumps(message) if message is not None else None
        for page in self._pages:
            if text is not None:
                page.offer(text)
            page.wake.set()

    def run_over(self) -> None:
        self._commands = None  # the finished picture stays; the buttons drive nothing

    async def close(self) -> None:
        for page in list(self._pages):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(page.ws.close(), 0.5)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def run(self, sub: Subscription) -> None:
        """Follow the run until `sub` ends, then close the server."""
        try:
            await self.follow(sub)
        finally:
            await self.close()

    async def follow(self, sub: Subscription, state: LiveState | None = None) -> None:
        """Show the run `sub` reads until it ends; the server stays up (the appliance's way).

        With `state`, the events build that picture, and pages see it once it is the
        server's (`show_run`): a start the gate refuses never reaches a page."""
        async for event in sub:
            picture = state if state is not None else self.state
            if picture is None:
                continue
            try:
                message = picture.absorb(event)
            except Exception:
                log.exception("web: could not show %s; skipped", type(event).__name__)
                continue
            if picture is self.state:
                self.publish(message)
        await asyncio.sleep(self._interval)  # the last picture reaches the pages

    # ------------------------------------------------------------------ checks

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Every route, the socket included: this server's Host, and no other site's page."""
        host = request.headers.get("Host", "")
        if not host_allowed(host, self._local(request), self._names):
            self._refuse(request, "host", f"unknown Host {host[:64]!r}")
            return web.Response(status=403, text="403: not this server\n")
        request[_CHECKED_HOST] = host
        origin = request.headers.get("Origin")
        if not same_origin(origin, host):
            self._refuse(request, "origin", f"from another site ({origin[:64] if origin else ''})")
            return self._forbidden()
        return await handler(request)

    def _local(self, request: web.Request) -> tuple[str, int]:
        """The address and port this connection arrived on."""
        transport = request.transport
        sockname = transport.get_extra_info("sockname") if transport is not None else None
        if isinstance(sockname, tuple) and len(sockname) >= 2:
            return str(sockname[0]), int(sockname[1])
        return self.listen.host, self.listen.port

    async def _headers(self, request: web.Request, response: web.StreamResponse) -> None:
        response.headers.update(security_headers(request.get(_CHECKED_HOST)))

    def _cookie(self, request: web.Request) -> str:
        return f"treadpace-{self._local(request)[1]}"

    def _token_ok(self, request: web.Request, *, cookie: bool = False) -> bool:
        given = request.query.get("token") or request.headers.get("X-Treadpace-Token") or ""
        if cookie and not given:
            given = request.cookies.get(self._cookie(request), "")
        if token_ok(given, self.token):
            return True
        why = "wrong token" if given else "no token"
        self._refuse(request, why, why)
        return False

    def _refuse(self, request: web.Request, kind: str, why: str) -> None:
        """Counted always; logged once per client, route and kind within a few seconds."""
        self.refused += 1
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "other"
        held = self._said.admit((request.remote, request.method, route, kind), self._now())
        if held is None:
            return
        log.warning(
            "web: refused %s %s from %s: %s",
            request.method,
            request.path[:64],
            request.remote,
            repeated(why, held),
        )

    @staticmethod
    def _forbidden() -> web.Response:
        return web.Response(status=403, text="403: this page needs the link printed by the run\n")

    # ------------------------------------------------------------------ handlers

    async def _index(self, request: web.Request) -> web.Response:
        if not self._token_ok(request):
            return self._forbidden()
        self.opened.set()
        response = web.Response(
            body=self._files["index.html"],
            content_type="text/html",
            headers={"Cache-Control": "no-store"},
        )
        if self.token is not None:
            # The page's own style and script are asked for without the token in their
            # address: this cookie (this server only, never sent by another site) carries it.
            response.set_cookie(
                self._cookie(request), self.token, httponly=True, samesite="Strict", path="/"
            )
        return response

    async def _static(self, request: web.Request) -> web.Response:
        if not self._token_ok(request, cookie=True):
            return self._forbidden()
        name = request.match_info["name"]
        if name not in self._files or name == "index.html":
            raise web.HTTPNotFound()
        kind = _TYPES[name.rsplit(".", 1)[1]]
        return web.Response(body=self._files[name], content_type=kind)

    async def _post_command(self, request: web.Request) -> web.Response:
        if not self._token_ok(request):
            return self._forbidden()
        peer = request.remote or "?"
        if not self._peers.take(peer):
            self._refuse(request, "rate", "too many commands")
            return web.json_response({"ok": False, "error": "too many commands"}, status=429)
        verdict, error = await self._command(request.match_info["name"], peer)
        body = _answer(verdict, error)
        status = 400 if error else (200 if verdict.ok else 409)
        return web.json_response(body, status=status)

    def _api_route(self, handler: Handler) -> Handler:
        """An appliance route behind the token and a per-client rate (the guard ran already)."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            if not self._token_ok(request):
                return self._forbidden()
            peer = request.remote or "?"
            if not self._api_peers.take(peer):
                self._refuse(request, "rate", "too many requests")
                return web.json_response({"ok": False, "error": "too many requests"}, status=429)
            return await handler(request)

        return guarded

    async def _command(self, name: str, peer: str) -> tuple[Verdict, str]:
        """The engine's verdict on the button `name`; or an error when it never got there."""
        command = BUTTONS.get(name)
        if command is None:
            log.debug("web: unknown command %r from %s", name[:32], peer)
            return ACCEPTED, f"unknown command {name[:32]!r}"
        if self._commands is None:
            return ACCEPTED, "no run is going"
        log.debug("web: command %s from %s", name, peer)
        verdict = await self._commands(command, None, CommandSource.REMOTE)
        self.commands_done += 1
        return (verdict if verdict is not None else ACCEPTED), ""

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        if not self._token_ok(request):
            return self._forbidden()
        if len(self._pages) >= MAX_PAGES or not self._sockets.take(self._now()):
            self._refuse(request, "busy", "too many pages")
            return web.Response(status=503, text="503: too many pages open\n")
        # Uncompressed: a browser offers per-message compression, and deflating every
        # second's few hundred bytes costs the run more CPU than the bytes cost a LAN.
        ws = web.WebSocketResponse(heartbeat=10.0, max_msg_size=MAX_MESSAGE, compress=False)
        await ws.prepare(request)
        bucket = TokenBucket(MESSAGE_RATE, MESSAGE_BURST, self._now())
        page = Page(ws, request.remote or "?", bucket, lambda: self.state, request.transport)
        self._pages.add(page)
        try:
            async with asyncio.TaskGroup() as tasks:
                sender = tasks.create_task(
                    page.send_loop(self._hello, self._interval, self._now),
                    name=f"web page {page.peer}",
                )
                try:
                    await self._read_loop(page)
                finally:
                    sender.cancel()
        finally:
            self._pages.discard(page)
        return ws

    async def _read_loop(self, page: Page) -> None:
        async for msg in page.ws:
            if msg.type != WSMsgType.TEXT:
                continue
            if not page.bucket.take(self._now()):
                self.dropped += 1
                if page.bucket.dropped >= FLOOD_CLOSE:
                    log.warning("web: closed the page of %s: too many messages", page.peer)
                    await page.ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"too many")
                    return
                continue
            await self._on_message(page, msg.data)

    async def _on_message(self, page: Page, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            message = None
        if isinstance(message, dict) and message.get("type") == "refresh":
            page.ask_hello()
            return
        if not isinstance(message, dict) or message.get("type") != "command":
            page.offer(json.dumps({"type": "ack", "ok": False, "error": "expected a command"}))
            return
        verdict, error = await self._command(str(message.get("command", "")), page.peer)
        ident = message.get("id")
        ack = {"type": "ack", "id": ident if isinstance(ident, int) else None}
        page.offer(json.dumps({**ack, **_answer(verdict, error)}))

    async def _hello(self) -> tuple[str, int]:
        """The whole picture as JSON text, and the version it shows."""
        state = self.state
        if state is not None:
            if not state.plan_ready():
                async with self._plan_lock:  # one build, however many pages wait for it
                    if not state.plan_ready():
                        picture = state.plan_picture()
                        state.set_plan_json(picture, await asyncio.to_thread(picture.json))
            return state.hello_text(), state.version
        async with self._history_lock:
            now = self._now()
            cached = self._history_text
            if cached is None or now - cached[0] >= HISTORY_TTL_S:
                provider = self._history
                # Read from disk off the event loop, at most every HISTORY_TTL_S.
                data = await asyncio.to_thread(provider) if provider is not None else {}
                cached = self._history_text = (
                    now,
                    json.dumps({"type": "hello", "mode": "history", **data}),
                )
                self.history_builds += 1
            return cached[1], 0


def _answer(verdict: Verdict, error: str) -> dict[str, Any]:
    """An ack's or a command answer's body: ok, the typed refusal and the words."""
    if error:
        return {"ok": False, "refused": None, "error": error}
    refusal = verdict.refusal
    return {
        "ok": verdict.ok,
        "refused": refusal.value if refusal is not None else None,
        "error": verdict.text,
    }
