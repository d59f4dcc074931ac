"""Strava's authorisation in a browser, brought back to treadpace on a loopback port.

A one-shot HTTP server on 127.0.0.1 (a free port) is the redirect address; the
runner opens the printed link, approves, and the browser lands back here with a
code, checked against a random `state` so no other page can hand us one. On a
headless machine the same link is opened on any other device: the page it lands
on will not load there, and the `code=` in its address is pasted into
`treadpace sync strava --authorize --code CODE` instead.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

from treadpace.base.clock import Clock, ClockTimeout, wait_for
from treadpace.base.user_error import UserError

CALLBACK_PATH = "/authorized"
WAIT_S = 300.0
_PAGE = "<!doctype html><title>treadpace</title><p>{}</p>"


class Loopback:
    """The redirect address and the code that comes back to it."""

    def __init__(self) -> None:
        self.state = secrets.token_urlsafe(16)
        self._code: asyncio.Future[tuple[str, str]] | None = None
        self._runner: web.AppRunner | None = None
        self.redirect_uri = ""

    async def start(self) -> str:
        self._code = asyncio.get_running_loop().create_future()
        app = web.Application()
        app.router.add_get(CALLBACK_PATH, self._callback)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = getattr(site, "_server", None)
        port = server.sockets[0].getsockname()[1] if server is not None else 0
        self.redirect_uri = f"http://127.0.0.1:{port}{CALLBACK_PATH}"
        return self.redirect_uri

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _callback(self, request: web.Request) -> web.Response:
        if request.query.get("state") != self.state:
            return web.Response(
                status=400, text=_PAGE.format("Not this request."), content_type="text/html"
            )
        future = self._code
        if future is not None and not future.done():
            error = request.query.get("error", "")
            future.set_result(
                (
                    request.query.get("code", "") if not error else "",
                    request.query.get("scope", error),
                )
            )
        return web.Response(
            text=_PAGE.format("Done: you can close this page and go back to treadpace."),
            content_type="text/html",
        )

    async def code(self, clock: Clock, wait_s: float = WAIT_S) -> tuple[str, str]:
        """(code, granted scope) once the browser comes back; UserError on refusal or time."""
        assert self._code is not None
        try:
            code, scope = await wait_for(clock, asyncio.shield(self._code), wait_s)
        except ClockTimeout:
            raise UserError(
                f"Strava: no answer from the browser within {wait_s:.0f} s; run"
                " `treadpace sync strava --authorize` again, or pass --code CODE"
            ) from None
        if not code:
            raise UserError(f"Strava: authorisation refused in the browser ({scope or 'no code'})")
        return code, scope


async def authorize_in_browser(
    clock: Clock, link_for: Callable[[str, str], str], show: Callable[[str], Awaitable[None]]
) -> tuple[str, str]:
    """Start the loopback, show the runner the link, and wait for the code."""
    loopback = Loopback()
    try:
        redirect = await loopback.start()
        await show(link_for(redirect, loopback.state))
        return await loopback.code(clock)
    finally:
        await loopback.close()
