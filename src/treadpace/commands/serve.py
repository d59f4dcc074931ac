"""`treadpace serve`: the appliance, one long-lived process the phone drives.

The page chooses a plan, previews it for today, starts it (the page's Start goes
through the engine's one gate as a remote command, or the run waits for Start on
the treadmill's console), follows it and reviews it; the history and each run's
detail are there too. At most one run at a time, always a `RunSession`
(`treadpace.appliance`). Same server, same page and the same security rules as
`run --web`: loopback by default, a token off loopback. Ctrl+C or SIGTERM ends
it (exit 0); a run going then is stopped as SIGTERM stops `treadpace run`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from treadpace.commands.options import DeviceOption, ModelOption, ProfileOption

if TYPE_CHECKING:
    from treadpace.appliance.one_run import Treadmill
    from treadpace.base.listen import Listen
    from treadpace.plans.profile import Profile


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
    simulate: Annotated[
        bool, typer.Option("--simulate", help="Runs use the software treadmill.")
    ] = False,
    model: ModelOption = None,
    device: DeviceOption = None,
    time_scale: Annotated[
        float, typer.Option("--time-scale", help="Simulator only: runs go N times faster.")
    ] = 1.0,
    sim_log: Annotated[
        Path | None,
        typer.Option("--sim-log", help="Simulator only: its command/belt log (JSON lines)."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="No cues spoken here (the phone still speaks them).")
    ] = False,
) -> None:
    """The appliance: choose, start, watch and review runs from a phone's browser."""
    import asyncio

    from treadpace.commands import run_checks
    from treadpace.plans import load_profile
    from treadpace.web.page import resolve_listen

    run_checks.check_time_scale(time_scale)
    run_checks.check_treadmill_options(simulate=simulate, model=model, device=device)
    prof = load_profile(profile)
    where = resolve_listen(True, listen, prof, option="--listen")
    assert where is not None
    treadmill = _treadmill(prof, simulate, model, device, time_scale, sim_log)
    if sim_log is not None:
        run_checks.check_sim_log(sim_log)
    asyncio.run(_serve(where, prof, profile, treadmill, quiet))


def _treadmill(
    prof: Profile,
    simulate: bool,
    model: str | None,
    device: str | None,
    time_scale: float,
    sim_log: Path | None,
) -> Treadmill:
    from treadpace.appliance.one_run import Treadmill
    from treadpace.base.user_error import UserError

    pinned = prof.treadmill.address or prof.treadmill.name
    target = device or (None if (simulate or model) else pinned)
    if target is None:
        return Treadmill(model or prof.treadmill.simulator_model, None, time_scale, sim_log)
    if time_scale != 1.0:
        raise UserError("--time-scale: only with the simulator (a real belt runs in real time)")
    if sim_log is not None:
        raise UserError("--sim-log: only with the simulator")
    return Treadmill(None, target)


async def _serve(
    where: Listen, prof: Profile, profile_path: Path | None, treadmill: Treadmill, quiet: bool
) -> None:
    import asyncio
    import signal

    from treadpace.appliance.one_run import Appliance
    from treadpace.appliance.routes import Routes
    from treadpace.base.listen import new_token
    from treadpace.web.history_page import history
    from treadpace.web.page import announce
    from treadpace.web.page_server import WebServer

    directory = prof.recording.directory
    token = None if where.loopback else new_token()
    server = WebServer(
        where,
        token=token,
        history=lambda: history(directory, prof.imperial),
        allow_hosts=prof.web.allow_hosts,
    )
    async with asyncio.TaskGroup() as tasks:
        appliance = Appliance(
            server, tasks, profile_path=profile_path, treadmill=treadmill, quiet=quiet
        )
        server.add_routes(Routes(appliance).routes())
        # Before the page is announced: a Ctrl+C once it is up (during the warm-up too)
        # stops the server cleanly, not with an interrupt.
        done = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, done.set)
        await server.start()
        print(f"web: runs in {directory}; treadmill: {treadmill.label} (Ctrl+C to stop)")
        announce(where.url(token), token is not None)
        await asyncio.to_thread(appliance.warm_up)
        try:
            await done.wait()
        finally:
            await appliance.shutdown()
    await server.close()
