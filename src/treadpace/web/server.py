"""The page's server: aiohttp in the run's own event loop, one WebSocket per page.

Nothing here can hold the engine up. `run()` reads the engine's bounded
subscription and only updates memory (`LiveState`); each page has its own
sender task that sends the latest picture at most every `min_interval_s` of
real time (network I/O, not plan time), so a slow phone only gets fewer
updates. Commands from a page go to the one handler it was given (the engine's
`command`), one at a time and marked `CommandSource.REMOTE`, so the remote-start
gate decides for the page exactly as it does for MQTT.

Security: a token, when set, is needed for the page, the socket and the command
endpoint (a 403, logged, otherwise); a request that says it comes from another
site (its Origin is not this server) is refused too, so a web page elsewhere in
the runner's browser cannot drive the belt. A command is acted on once, when it
arrives: nothing is queued for a page that is away, nothing replayed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Callable
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from treadpace.engine.events import Command
from treadpace.engine.gate import CommandPath, CommandSource
from treadpace.engine.hub import Subscription
from treadpace.errors import UserError
from treadpace.listen import Listen
from treadpace.web.live import LiveState

log = logging.getLogger("treadpace.web")

HistoryProvider = Callable[[], dict[str, Any]]

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
_MAX_MESSAGE = 1024


def static_files() -> dict[str, bytes]:
    base = resources.files("treadpace.web") / "static"
    return {name: (base / name).read_bytes() for name in STATIC}


class _Page:
    """One connected page: its socket and what is waiting to be sent to it."""

    def __init__(self, ws: web.WebSocketResponse, peer: str) -> None:
        self.ws = ws
        self.peer = peer
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue(32)
        self.wake = asyncio.Event()
        self.sent_version = -1

    def offer(self, message: dict[str, Any]) -> None:
        if self.outbox.full():
            self.outbox.get_nowait()
        self.outbox.put_nowait(message)
        self.wake.set()


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
    ) -> None:
        self.listen = listen
        self.token = token
        self._commands = commands
        self.state = state
        self._history = history
        self._interval = min_interval_s
        self._files = static_files()
        self._pages: set[_Page] = set()
        self._runner: web.AppRunner | None = None
        self.refused = 0
        """Requests refused for a missing or wrong token, or a foreign origin."""
        self.commands_done = 0
        self.opened = asyncio.Event()
        """Set when the page itself was first served (with its token): a run on the LAN
        waits for it before the countdown, so the phone has time to scan the QR code."""

    # ------------------------------------------------------------------ lifecycle

    def app(self) -> web.Application:
        app = web.Application(client_max_size=4096)
        app.router.add_get("/", self._index)
        app.router.add_get("/static/{name}", self._static)
        app.router.add_get("/ws", self._socket)
        app.router.add_post("/command/{name}", self._post_command)
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

    def set_commands(self, commands: CommandPath) -> None:
        self._commands = commands

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
            async for event in sub:
                if self.state is None:
                    continue
                try:
                    message = self.state.absorb(event)
                except Exception:
                    log.exception("web: could not show %s; skipped", type(event).__name__)
                    continue
                for page in self._pages:
                    if message is not None:
                        page.offer(message)
                    page.wake.set()
            await asyncio.sleep(self._interval)  # the last picture reaches the pages
        finally:
            await self.close()

    # ------------------------------------------------------------------ checks

    def _allowed(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc != request.host:
            self._refuse(request, f"from another site ({origin})")
            return False
        token = self.token
        if token is None:
            return True
        given = request.query.get("token") or request.headers.get("X-Treadpace-Token") or ""
        if secrets.compare_digest(given.encode(), token.encode()):
            return True
        self._refuse(request, "wrong token" if given else "no token")
        return False

    def _refuse(self, request: web.Request, why: str) -> None:
        self.refused += 1
        log.warning(
            "web: refused %s %s from %s: %s", request.method, request.path, request.remote, why
        )

    @staticmethod
    def _forbidden() -> web.Response:
        return web.Response(status=403, text="403: this page needs the link printed by the run\n")

    # ------------------------------------------------------------------ handlers

    async def _index(self, request: web.Request) -> web.Response:
        if not self._allowed(request):
            return self._forbidden()
        self.opened.set()
        return web.Response(
            body=self._files["index.html"],
            content_type="text/html",
            headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"},
        )

    async def _static(self, request: web.Request) -> web.Response:
        # Code and style only, no run data: served without the token.
        name = request.match_info["name"]
        if name not in self._files or name == "index.html":
            raise web.HTTPNotFound()
        kind = _TYPES[name.rsplit(".", 1)[1]]
        return web.Response(body=self._files[name], content_type=kind)

    async def _post_command(self, request: web.Request) -> web.Response:
        if not self._allowed(request):
            return self._forbidden()
        name = request.match_info["name"]
        ok, error = await self._command(name, request.remote or "?")
        return web.json_response({"ok": ok, "error": error}, status=200 if ok else 400)

    async def _command(self, name: str, peer: str) -> tuple[bool, str]:
        command = BUTTONS.get(name)
        if command is None:
            log.warning("web: unknown command %r from %s", name[:32], peer)
            return False, f"unknown command {name[:32]!r}"
        if self._commands is None:
            return False, "no run is going"
        log.info("web: command %s from %s", name, peer)
        await self._commands(command, None, CommandSource.REMOTE)
        self.commands_done += 1
        return True, ""

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        if not self._allowed(request):
            return self._forbidden()
        ws = web.WebSocketResponse(heartbeat=10.0, max_msg_size=_MAX_MESSAGE)
        await ws.prepare(request)
        page = _Page(ws, request.remote or "?")
        self._pages.add(page)
        sender = asyncio.create_task(self._send_loop(page))
        try:
            await ws.send_json(self._hello())
            page.sent_version = self.state.version if self.state is not None else 0
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._on_message(page, msg.data)
        finally:
            self._pages.discard(page)
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender
        return ws

    def _hello(self) -> dict[str, Any]:
        if self.state is not None:
            return self.state.hello()
        history = self._history() if self._history is not None else {}
        return {"type": "hello", "mode": "history", **history}

    async def _on_message(self, page: _Page, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            message = None
        if isinstance(message, dict) and message.get("type") == "refresh":
            await page.ws.send_json(self._hello())  # the history page, read afresh
            return
        if not isinstance(message, dict) or message.get("type") != "command":
            await page.ws.send_json({"type": "ack", "ok": False, "error": "expected a command"})
            return
        ok, error = await self._command(str(message.get("command", "")), page.peer)
        await page.ws.send_json({"type": "ack", "id": message.get("id"), "ok": ok, "error": error})

    async def _send_loop(self, page: _Page) -> None:
        while not page.ws.closed:
            await page.wake.wait()
            page.wake.clear()
            while not page.outbox.empty():
                await page.ws.send_json(page.outbox.get_nowait())
            state = self.state
            if state is not None and state.version != page.sent_version:
                page.sent_version = state.version
                await page.ws.send_json(state.live())
            # Fewer updates for a busy phone, never a queue of stale ones.
            await asyncio.sleep(self._interval)
