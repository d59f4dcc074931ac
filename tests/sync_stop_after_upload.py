"""A sync that stops dead between the service's answer and the outbox write.

Run as a subprocess by tests/integration/sync/test_sync_exactly_once.py: it queues one run for
intervals.icu in the database given, sends it through the real client, and when
the answer is in (the activity exists remotely) it says so on stdout and waits
to be killed, before the outbox learns of it.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiohttp

from treadpace.base.clock import RealClock
from treadpace.store.database import connect
from treadpace.sync.drain import Drain
from treadpace.sync.icu_client import IcuClient, IcuUploader
from treadpace.sync.outbox import Entry, Outbox


async def main(database: Path, journal: Path, url: str, key: str) -> None:
    clock = RealClock()
    outbox = Outbox(connect(database))
    outbox.enqueue(journal.name.removesuffix(".jsonl"), "icu", journal, clock.wall())

    async def stop_here(entry: Entry, remote: str) -> None:
        print(f"uploaded {remote}", flush=True)
        await asyncio.Event().wait()

    async with aiohttp.ClientSession() as session:
        client = IcuClient(session, base_url=url, api_key=key, wall=clock.wall)
        drain = Drain(outbox, {"icu": IcuUploader(client)}, clock, on_uploaded=stop_here)
        await drain.run(outbox.due(["icu"], clock.wall()))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]))
