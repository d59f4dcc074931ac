"""Bounded retries with backoff on the injected clock, for uncertain transport failures.

A definite answer from the treadmill (a result code) is acted on by the caller; a
write or subscription that failed in transport (an ATT error, a D-Bus hiccup) says
nothing about what the machine wants, so it is tried again a few times, with a
doubling pause on the run's clock, before the failure is reported. A link that is
down (`NotConnected`) is never retried here: reconnecting is the treadmill's job.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from treadpace.base.backoff import Backoff
from treadpace.treadmill.port import ControlRefused, ControlTimeout, NotConnected, TreadmillError

if TYPE_CHECKING:
    from treadpace.base.clock import Clock

log = logging.getLogger(__name__)

T = TypeVar("T")


TRANSPORT = Backoff(first=0.5, cap=4.0, attempts=4)
"""Four tries in all, 0.5, 1 and 2 s apart: a write, a subscribe, a Request Control."""


def is_transport_failure(exc: BaseException) -> bool:
    """A failure that says nothing about the machine's will: worth another try."""
    return isinstance(exc, TreadmillError) and not isinstance(
        exc, NotConnected | ControlRefused | ControlTimeout
    )


async def retry_transport(
    clock: Clock,
    what: str,
    attempt: Callable[[], Awaitable[T]],
    backoff: Backoff = TRANSPORT,
) -> T:
    """`await attempt()`, again after each transport failure, up to `backoff.attempts` times."""
    delays = backoff.delays()
    for i in range(len(delays) + 1):
        try:
            return await attempt()
        except TreadmillError as exc:
            if not is_transport_failure(exc) or i == len(delays):
                raise
            log.info(
                "%s failed (%s); trying again in %g s (%d of %d)",
                what,
                exc,
                delays[i],
                i + 2,
                len(delays) + 1,
            )
            await clock.sleep(delays[i])
    raise AssertionError("unreachable")  # pragma: no cover
