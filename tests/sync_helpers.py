"""What the sync tests share: recorded runs, an outbox in a temporary database, one drain.

`recorded_run` writes a journal the way a run does (the recorder fed a synthetic
event stream); `drain_icu` and `drain_strava` send what is due through the real
clients to a fake server, on the clock the test gives.
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import tempfile
import weakref
from dataclasses import replace
from pathlib import Path

import aiohttp

from tests.fake_icu import API_KEY, FakeIcu
from tests.fake_strava import CLIENT_ID, CLIENT_SECRET, FakeStrava
from treadpace.base.clock import VIRTUAL_EPOCH, Clock
from treadpace.plans.steps import CompiledStep
from treadpace.record.export import export_run
from treadpace.record.recorder import Recorder
from treadpace.record.synthetic import SyntheticRun, synthetic_events
from treadpace.store.database import connect
from treadpace.sync.credentials import StravaAccount
from treadpace.sync.drain import Drain, Report, Uploader
from treadpace.sync.icu_client import IcuClient, IcuUploader
from treadpace.sync.outbox import Outbox
from treadpace.sync.strava import StravaUploader
from treadpace.sync.tokens import Tokens, from_answer, save

_MADE: dict[tuple[str, bool, tuple[CompiledStep, ...] | None], Path] = {}
_STORE = tempfile.TemporaryDirectory(prefix="treadpace-sync-runs-")
atexit.register(_STORE.cleanup)


def recorded_run(
    folder: Path,
    plan_name: str = "Sync test run",
    simulated: bool = False,
    steps: tuple[CompiledStep, ...] | None = None,
) -> Path:
    """A journal and its FIT export, as a run on a treadmill leaves them (`simulated`: on the
    simulator). Each kind is recorded once a session and copied, times and all."""
    key = (plan_name, simulated, steps)
    if key not in _MADE:
        _MADE[key] = _record(Path(_STORE.name) / str(len(_MADE)), plan_name, simulated, steps)
    made = _MADE[key]
    folder.mkdir(parents=True, exist_ok=True)
    for path in (made, made.with_suffix(".fit")):
        shutil.copy2(path, folder / path.name)
    return folder / made.name


def _record(
    folder: Path, plan_name: str, simulated: bool, steps: tuple[CompiledStep, ...] | None
) -> Path:
    recorder = Recorder(folder)
    run = replace(SyntheticRun(), plan_name=plan_name, device="Treadmill T1", simulated=simulated)
    if steps is not None:
        run = replace(run, steps=steps)
    for event in synthetic_events(run):
        recorder.handle(event)
    assert recorder.path is not None
    export_run(recorder.path, ["fit"])
    return recorder.path


def outbox_in(tmp_path: Path) -> Outbox:
    """An outbox in a new database; its connection is closed when the outbox goes."""
    conn = connect(tmp_path / "db.sqlite3")
    outbox = Outbox(conn)
    weakref.finalize(outbox, conn.close)
    return outbox


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


class WallClock:
    """A clock that moves only when the code sleeps on it, at once, from the wall given.

    The sync talks to real loopback servers, so the virtual clock (which jumps when
    every task waits, real I/O included) would time their answers out; this one only
    counts the sleeps asked of it: a wait of a window is seen whole and costs nothing.
    """

    def __init__(self, wall: float = VIRTUAL_EPOCH) -> None:
        self._at = wall
        self._now = 0.0

    def now(self) -> float:
        return self._now

    def wall(self) -> float:
        return self._at + self._now

    async def sleep(self, seconds: float) -> None:
        self._now += max(0.0, seconds)
        await asyncio.sleep(0)


def strava_account(tmp_path: Path, url: str, refresh_token: str | None = None) -> StravaAccount:
    return StravaAccount(
        url=url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        token_file=tmp_path / "cfg" / "strava-tokens.json",
        refresh_token=refresh_token,
    )


def give_tokens(fake: FakeStrava, account: StravaAccount, expires_in: float = 21600) -> Tokens:
    granted = fake.grant(expires_in)
    tokens = from_answer(granted)
    assert tokens is not None
    save(account.token_file, tokens)
    return tokens


async def drain_strava(
    fake: FakeStrava, outbox: Outbox, account: StravaAccount, clock: Clock | None = None
) -> Report:
    """Send what is due to Strava on `clock` (default: the fake's)."""
    at = clock or fake.clock
    async with aiohttp.ClientSession() as session:
        uploader = StravaUploader.for_account(session, account, at, 10.0)
        return await drain_with(outbox, {"strava": uploader}, at, ["strava"])
