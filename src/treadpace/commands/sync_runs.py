"""`treadpace sync [RUN...]`: queue the runs, send what is due, one line per problem.

Also the sync after a run (`after_run`), which is the same with a time budget and
never raises: whatever is not sent in time stays in the outbox.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from treadpace.base.printable import printable
from treadpace.base.user_error import UserError

if TYPE_CHECKING:
    from treadpace.base.clock import Clock
    from treadpace.plans.profile import Profile
    from treadpace.sync.drain import Report
    from treadpace.sync.outbox import Outbox

QUEUED_EXIT = 5


def services_for(profile: Profile, to: str | None) -> list[str]:
    from treadpace.plans.sync_settings import parse_service_list

    if to is None:
        chosen: list[str] = list(profile.sync.to)
    else:
        try:
            chosen = list(parse_service_list(to))
        except ValueError as exc:
            raise UserError(f"--to: {exc}") from None
    if not chosen:
        raise UserError(
            "sync: no service to send to; pass --to icu,strava or set sync.to in the profile"
        )
    return chosen


def sync_runs(profile: Profile, runs: list[str], to: str | None, folder: Path) -> int:
    """The exit code: 0 all there, 2 a key or token refused, 5 some still queued."""
    from treadpace.base.clock import RealClock
    from treadpace.record.runs import resolve_run
    from treadpace.store.database import connect
    from treadpace.sync.outbox import Outbox, State
    from treadpace.sync.send import run_id_of

    services = services_for(profile, to)
    journals = [resolve_run(spec, folder) for spec in runs]
    clock = RealClock()
    conn = connect()
    try:
        outbox = Outbox(conn)
        for journal in journals:
            for service in services:
                entry = outbox.enqueue(run_id_of(journal), service, journal, clock.wall())
                if entry.remote_id is not None and entry.state is State.DONE:
                    print(
                        f"{printable(entry.run_id)}: already on {_name(service)}"
                        f" (activity {printable(entry.remote_id)})"
                    )
        if not outbox.due(services, clock.wall()):
            waiting = outbox.waiting(services)
            print(
                f"sync: nothing to send now ({len(waiting)} waiting for a later try)"
                if waiting
                else "sync: nothing to send"
            )
            return QUEUED_EXIT if waiting else 0
        report = asyncio.run(send_due(profile, outbox, services, clock))
        return _summarise(report, outbox, services)
    finally:
        conn.close()


async def send_due(profile: Profile, outbox: Outbox, services: list[str], clock: Clock) -> Report:
    """Send what is due for `services`; a UserError when a service is not configured."""
    from treadpace.sync.connect import uploaders_for
    from treadpace.sync.drain import Drain

    async with uploaders_for(profile.sync, services, clock) as uploaders:
        drain = Drain(outbox, uploaders, clock)
        return await drain.run(outbox.due(services, clock.wall()))


def _name(service: str) -> str:
    from treadpace.sync.failure import SERVICE_NAMES

    return SERVICE_NAMES.get(service, service)


def _summarise(report: Report, outbox: Outbox, services: list[str]) -> int:
    for entry, remote in report.uploaded:
        print(
            f"{printable(entry.run_id)}: on {_name(entry.service)} (activity {printable(remote)})"
        )
    for line in report.lines:
        print(f"sync: {printable(line)}", file=sys.stderr)
    if report.refused:
        return UserError.exit_code
    waiting = outbox.waiting(services)
    if waiting:
        print(f"sync: {len(waiting)} upload(s) still queued (see docs/sync.md)", file=sys.stderr)
        return QUEUED_EXIT
    return 0


def after_run_sync(profile: Profile, journal: Path) -> None:
    """The sync a finished run starts by itself (`sync.after_run`), once the belt has stopped
    and the files are written: bounded in time, never raising, never changing the run's exit
    code. What is not sent stays in the outbox for `treadpace sync`."""
    from treadpace.base.clock import ClockTimeout, RealClock, wait_for
    from treadpace.record.runs import summarize

    services: list[str] = list(profile.sync.to)
    budget = float(profile.sync.after_run_budget_s)
    if not services:
        print("sync: sync.after_run is on but sync.to names no service", file=sys.stderr)
        return
    summary = summarize(journal)
    if summary is None or summary.simulated:
        return  # a run on the simulator is not training
    clock = RealClock()
    try:
        conn = _queued(journal, services, clock)
    except UserError as exc:
        print(f"sync: {printable(str(exc))}", file=sys.stderr)
        return
    try:
        from treadpace.sync.outbox import Outbox

        outbox = Outbox(conn)
        report = asyncio.run(wait_for(clock, send_due(profile, outbox, services, clock), budget))
        _summarise(report, outbox, services)
    except ClockTimeout:
        print(
            f"sync: not done within {budget:g} s; kept in the outbox (`treadpace sync` sends it)",
            file=sys.stderr,
        )
    except UserError as exc:
        print(f"sync: {printable(str(exc))} (the run stays queued)", file=sys.stderr)
    except Exception as exc:  # a sync that breaks never fails the run it follows
        print(f"sync: failed ({type(exc).__name__}); the run stays queued", file=sys.stderr)
    finally:
        conn.close()


def _queued(journal: Path, services: list[str], clock: Clock) -> sqlite3.Connection:
    from treadpace.store.database import connect
    from treadpace.sync.outbox import Outbox
    from treadpace.sync.send import run_id_of

    conn = connect()
    outbox = Outbox(conn)
    for service in services:
        outbox.enqueue(run_id_of(journal), service, journal, clock.wall())
    return conn
