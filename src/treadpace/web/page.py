"""The run's side of the page: bind before anything moves, then follow the engine.

`open_page` binds the server before the treadmill is even connected, so a port
in use is a one-line error (exit 2) while the belt stands, and says where the
page is (with the run's token when the address is not loopback). `follow`
then hands the page the engine's one command path and its events.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from treadpace.base.listen import Listen, new_token

if TYPE_CHECKING:
    from treadpace.engine.gate import CommandPath
    from treadpace.engine.hub import Subscription
    from treadpace.web.page_server import WebServer

NO_QR = "web: open the address above on the phone; it holds this run's token"


def resolve_listen(
    web: bool, web_listen: str | None, profile: Any, option: str = "--web-listen"
) -> Listen | None:
    """Where to serve from the options and the profile, or None for no page."""
    from treadpace.base.listen import parse_listen
    from treadpace.base.user_error import UserError

    if web_listen is not None:
        try:
            return parse_listen(web_listen)
        except ValueError as exc:
            raise UserError(f"{option}: {exc}") from None
    if web or profile.web.enabled:
        return parse_listen(profile.web.listen)  # checked when the profile loaded
    return None


async def open_page(
    listen: Listen, *, allow_remote_start: bool, allow_hosts: Sequence[str] = ()
) -> WebServer:
    from treadpace.web.live_state import LiveState
    from treadpace.web.page_server import WebServer

    token = None if listen.loopback else new_token()
    state = LiveState(allow_remote_start=allow_remote_start)
    server = WebServer(listen, token=token, state=state, allow_hosts=allow_hosts)
    await server.start()
    announce(listen.url(token), token is not None)
    return server


def announce(url: str, with_token: bool) -> None:
    """Say where the page is; with a token, as a QR code too when a terminal shows it."""
    import contextlib
    import sys

    from treadpace.web import qr

    print(f"web: live page at {url}", flush=True)
    if not with_token:
        return
    lines: list[str] = []
    if sys.stdout.isatty():
        with contextlib.suppress(qr.TooLong):  # an address too long to draw: typed instead
            lines = qr.terminal_lines(url)
    if lines:
        print("web: scan with the phone (it holds this run's token):")
        print("\n".join(lines), flush=True)
    else:
        print(NO_QR, flush=True)


async def follow(server: WebServer, commands: CommandPath, sub: Subscription) -> None:
    """Serve the run until its events end (the page's buttons call `commands`)."""
    server.set_commands(commands)
    await server.run(sub)
