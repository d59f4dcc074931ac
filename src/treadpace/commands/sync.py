"""`treadpace sync`: finished runs to intervals.icu and Strava, through the outbox.

`treadpace sync [--to icu,strava] [RUN...]` queues the named runs (ids, prefixes,
paths or `latest`) for each service, then sends everything due in the outbox.
Exit 0 when every run is uploaded or already there, 2 on a configuration problem
(a missing or refused key), 5 when runs remain queued for a later try.
`treadpace sync push PLAN --date DATE` puts a plan on the intervals.icu calendar;
`treadpace sync strava --authorize | --revoke` links or unlinks Strava.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from treadpace.base.user_error import UserError
from treadpace.commands.options import ProfileOption

QUEUED_EXIT = 5
"""Some runs are still in the outbox (offline, a service down, a long rate limit)."""


def register(app: typer.Typer) -> None:
    app.command("sync")(sync_command)


def sync_command(
    args: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[RUN...]",
            help="RUN... (a journal, a run id or prefix, `latest`); or `push PLAN`;"
            " or `strava` with --authorize/--revoke.",
            show_default=False,
        ),
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="icu, strava or icu,strava (default: sync.to).")
    ] = None,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Recording directory (default: the profile's).")
    ] = None,
    profile: ProfileOption = None,
    date: Annotated[
        str | None, typer.Option("--date", help="push: the day (YYYY-MM-DD, today, tomorrow).")
    ] = None,
    authorize: Annotated[bool, typer.Option("--authorize", help="strava: link it.")] = False,
    revoke: Annotated[bool, typer.Option("--revoke", help="strava: unlink it.")] = False,
    code: Annotated[
        str | None, typer.Option("--code", help="strava --authorize: the code, pasted.")
    ] = None,
) -> None:
    """Upload finished runs to intervals.icu and Strava (queued offline, sent once)."""
    from treadpace.plans import load_profile

    words = list(args or [])
    loaded = load_profile(profile)
    if words[:1] == ["strava"] and (authorize or revoke):
        from treadpace.commands.sync_strava import strava_account_command

        raise typer.Exit(strava_account_command(loaded, words[1:], authorize, revoke, code))
    if words[:1] == ["push"]:
        from treadpace.commands.sync_push import push_command

        raise typer.Exit(push_command(loaded, words[1:], date, to))
    if authorize or revoke or code is not None or date is not None:
        raise UserError("sync: --authorize, --revoke and --code go with `strava`, --date with push")
    from treadpace.commands.sync_runs import sync_runs

    folder = directory.expanduser() if directory else Path(loaded.recording.directory)
    raise typer.Exit(sync_runs(loaded, words, to, folder))
