"""Send one finished run to the services, now: the outbox's queue and drain for one journal.

What `treadpace sync RUN`, the after-run sync and the appliance page's upload button share:
the run is queued for each service (a run already there stays there: its remote id is
kept), then whatever is due for those services goes out through the drain. Nothing here
prints; the caller says what the report means in its own words.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from treadpace.store.database import connect
from treadpace.sync.connect import uploaders_for
from treadpace.sync.drain import Drain, Report
from treadpace.sync.outbox import Entry, Outbox, State

if TYPE_CHECKING:
    from treadpace.base.clock import Clock
    from treadpace.plans.sync_settings import SyncSettings


def run_id_of(journal: Path) -> str:
    return journal.name.removesuffix(".jsonl")


async def send_run(
    settings: SyncSettings, journal: Path, services: list[str], clock: Clock
) -> tuple[Report, list[Entry]]:
    """Queue `journal` for `services` and send what is due; the report, and what was there.

    A UserError when a service is not configured; everything else the drain turns into
    the report's lines (and the run stays queued for a later try).
    """
    conn = connect()
    try:
        outbox = Outbox(conn)
        there = []
        for service in services:
            entry = outbox.enqueue(run_id_of(journal), service, journal, clock.wall())
            if entry.state is State.DONE and entry.remote_id is not None:
                there.append(entry)
        due = outbox.due(services, clock.wall())
        if not due:
            return Report(), there
        async with uploaders_for(settings, services, clock) as uploaders:
            report = await Drain(outbox, uploaders, clock).run(due)
        return report, there
    finally:
        conn.close()
