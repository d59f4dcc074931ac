"""`treadpace serve`: the live page's server with no run going.

Shows the last run's summary (its steps and chart) and the history, so the phone
on the console has something to show before and after a run. Same server, same
page and the same security rules as `run --web`; Ctrl+C ends it (exit 0).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from treadpace.commands.options import ProfileOption

if TYPE_CHECKING:
    from treadpace.listen import Listen


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)


def serve_command(
    profile: ProfileOption = None,
    listen: Annotated[
        str | None,
        typer.Option(
            "--listen",
            metavar="HOST:PORT",
            help="Where to serve (default: the profile's web.listen, 127.0.0.1:8080).",
        ),
    ] = None,
) -> None:
    """Serve the page with the last run's summary and the history (no run going)."""
    import asyncio

    from treadpace.plans import load_profile
    from treadpace.web.page import resolve_listen

    prof = load_profile(profile)
    where = resolve_listen(True, listen, prof, option="--listen")
    assert where is not None
    directory = Path(prof.recording.directory).expanduser()
    asyncio.run(_serve(where, directory, prof.imperial, prof.web.allow_hosts))


async def _serve(where: Listen, directory: Path, imperial: bool, hosts: list[str]) -> None:
    import asyncio
    import signal

    from treadpace.listen import new_token
    from treadpace.web.history import history
    from treadpace.web.page import announce
    from treadpace.web.server import WebServer

    token = None if where.loopback else new_token()
    server = WebServer(
        where, token=token, history=lambda: history(directory, imperial), allow_hosts=hosts
    )
    await server.start()
    print(f"web: runs in {directory} (Ctrl+C to stop)", flush=True)
    announce(where.url(token), token is not None)
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, done.set)
    try:
        await done.wait()
    finally:
        await server.close()
