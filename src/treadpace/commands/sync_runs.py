"""`treadpace sync [RUN...]`: queue the runs, send what is due, one line per problem.

Also the sync after a run (`after_run`), which is the same with a time budget and
never raises: whatever is not sent in time stays in the outbox.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from treadpace.errors import UserError
from treadpace.printable import printable

if TYPE_CHECKING:
    from treadpace.clock import Clock
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
    from treadpace.clock import RealClock
    from treadpace.record.runs import resolve_run
    from treadpace.store.database import connect
    from treadpace.sync.outbox import Outbox

    services = services_for(profile, to)
    journals = [resolve_run(spec, folder) for spec in runs]
    clock = RealClock()
    conn = connect()
    try:
        outbox = Outbox(conn)
        for journal in journals:
            for service in services:
                outbox.enqueue(journal.name.removesuffix(".jsonl"), service, journal, clock.wall())
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


def _summarise(report: Report, outbox: Outbox, services: list[str]) -> int:
    from treadpace.sync.failure import SERVICE_NAMES

    for entry, remote in report.uploaded:
        name = SERVICE_NAMES.get(entry.service, entry.service)
        print(f"{printable(entry.run_id)}: on {name} (activity {printable(remote)})")
    for line in report.lines:
        print(f"sync: {printable(line)}", file=sys.stderr)
    if report.refused:
        return UserError.exit_code
    waiting = outbox.waiting(services)
    if waiting:
        print(f"sync: {len(waiting)} upload(s) still queued (see docs/sync.md)", file=sys.stderr)
        return QUEUED_EXIT
    return 0
