"""Emptying the outbox: each due run to each service, once, in bounded time.

For every entry the row is marked `sending` before the request and `done` with the
remote id after the answer, so a process killed in between sends the run again on
restart and the service answers "duplicate": one activity, however often it was
tried. A rate limit whose window ends soon is waited out on the injected clock; a
longer one, a server error, a timeout or no network leave the run queued for later
(`not_before`), and the rest of that service's runs are not tried this time. A
refused key or token stops that service until the runner fixes it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from treadpace.base.backoff import Backoff
from treadpace.base.clock import Clock
from treadpace.base.user_error import UserError
from treadpace.sync.failure import SERVICE_NAMES, Failure, SyncError
from treadpace.sync.item import RunItem, run_item
from treadpace.sync.outbox import Entry, Outbox

RETRY = Backoff(first=300.0, cap=6 * 3600.0)
"""After a transient failure: 5 minutes, doubling, at most 6 hours apart."""
NEEDS_RUNNER = frozenset({Failure.AUTH, Failure.FORBIDDEN, Failure.NOT_FOUND})


class Uploader(Protocol):
    service: str

    async def send(self, item: RunItem, entry: Entry, outbox: Outbox) -> str:
        """Upload the run (or find it already there) and return the service's activity id."""
        ...


@dataclass
class Report:
    uploaded: list[tuple[Entry, str]] = field(default_factory=list)
    queued: list[tuple[Entry, str]] = field(default_factory=list)
    failed: list[tuple[Entry, str]] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)
    """Services whose key or token was refused: a configuration problem."""

    @property
    def lines(self) -> list[str]:
        return [line for _, line in (*self.failed, *self.queued)]


Hook = Callable[[Entry, str], Awaitable[None]]


@dataclass
class Drain:
    outbox: Outbox
    uploaders: Mapping[str, Uploader]
    clock: Clock
    max_wait_s: float = 120.0
    """A rate limit that ends within this is waited out; a longer one leaves the run queued."""
    load: Callable[[Entry], RunItem] = field(default=lambda entry: run_item(entry.journal))
    on_uploaded: Hook | None = None
    """Called between the service's answer and the outbox write (tests stop a process here)."""

    async def run(self, entries: list[Entry]) -> Report:
        report = Report()
        stopped: dict[str, str] = {}
        for entry in entries:
            uploader = self.uploaders.get(entry.service)
            if uploader is None:
                continue
            if entry.service in stopped:
                report.queued.append((entry, f"{entry.run_id}: {stopped[entry.service]}"))
                continue
            try:
                item = self.load(entry)
            except UserError as exc:
                self.outbox.failed(entry, str(exc))
                report.failed.append((entry, str(exc)))
                continue
            if item.simulated:
                line = f"{entry.run_id}: a run on the simulator is not training; not uploaded"
                self.outbox.failed(entry, line)
                report.failed.append((entry, line))
                continue
            await self._one(entry, item, uploader, report, stopped)
        return report

    async def _one(
        self,
        entry: Entry,
        item: RunItem,
        uploader: Uploader,
        report: Report,
        stopped: dict[str, str],
    ) -> None:
        self.outbox.sending(entry)
        try:
            remote = await self._send(entry, item, uploader)
        except SyncError as exc:
            self._failure(entry, exc, report, stopped)
            return
        if self.on_uploaded is not None:
            await self.on_uploaded(entry, remote)
        self.outbox.done(entry, remote, self.clock.wall())
        report.uploaded.append((entry, remote))

    async def _send(self, entry: Entry, item: RunItem, uploader: Uploader) -> str:
        while True:
            try:
                return await uploader.send(item, entry, self.outbox)
            except SyncError as exc:
                wait = exc.retry_after
                if (
                    exc.kind is Failure.RATE_LIMITED
                    and wait is not None
                    and wait <= self.max_wait_s
                ):
                    await self.clock.sleep(wait)
                    continue
                raise

    def _failure(
        self, entry: Entry, exc: SyncError, report: Report, stopped: dict[str, str]
    ) -> None:
        line = f"{entry.run_id}: {exc.line()}"
        if exc.retry_later:
            current = self.outbox.get(entry.run_id, entry.service) or entry
            delay = (
                exc.retry_after if exc.retry_after is not None else RETRY.delay(current.attempts)
            )
            self.outbox.retry_at(current, self.clock.wall() + delay, exc.line())
            report.queued.append((entry, line))
            name = SERVICE_NAMES.get(entry.service, entry.service)
            stopped[entry.service] = f"kept queued, not tried ({name} unavailable)"
            return
        self.outbox.failed(entry, exc.line())
        report.failed.append((entry, line))
        if exc.kind in NEEDS_RUNNER:
            report.refused.add(entry.service)
            stopped[entry.service] = f"kept queued, not tried ({exc.line()})"
