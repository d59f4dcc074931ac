"""What the sync tests share: recorded runs, an outbox in a temporary database, one drain.

`recorded_run` writes a journal the way a run does (the recorder fed a synthetic
event stream); `drain_icu` and `drain_strava` send what is due through the real
clients to a fake server, on the clock the test gives.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import aiohttp

from fake_icu import API_KEY, FakeIcu
from treadpace.clock import Clock
from treadpace.record.recorder import Recorder
from treadpace.record.synthetic import SyntheticRun, synthetic_events
from treadpace.store.database import connect
from treadpace.sync.drain import Drain, Report, Uploader
from treadpace.sync.icu import IcuClient, IcuUploader
from treadpace.sync.outbox import Outbox


def recorded_run(folder: Path, plan_name: str = "Sync test run", simulated: bool = False) -> Path:
    """A journal as a run on a treadmill leaves it (`simulated` for one on the simulator)."""
    recorder = Recorder(folder)
    run = replace(SyntheticRun(), plan_name=plan_name, device="Treadmill T1", simulated=simulated)
    for event in synthetic_events(run):
        recorder.handle(event)
    assert recorder.path is not None
    return recorder.path


def outbox_in(tmp_path: Path) -> Outbox:
    return Outbox(connect(tmp_path / "db.sqlite3"))


def queue(outbox: Outbox, journal: Path, service: str, clock: Clock) -> None:
    outbox.enqueue(journal.name.removesuffix(".jsonl"), service, journal, clock.wall())


async def drain_with(
    outbox: Outbox, uploaders: dict[str, Uploader], clock: Clock, services: list[str]
) -> Report:
    drain = Drain(outbox, uploaders, clock)
    return await drain.run(outbox.due(services, clock.wall()))


async def drain_icu(
    fake: FakeIcu, outbox: Outbox, clock: Clock, *, timeout_s: float = 10.0, key: str = API_KEY
) -> Report:
    async with aiohttp.ClientSession() as session:
        client = IcuClient(
            session, base_url=fake.url, api_key=key, timeout_s=timeout_s, wall=clock.wall
        )
        return await drain_with(outbox, {"icu": IcuUploader(client)}, clock, ["icu"])
