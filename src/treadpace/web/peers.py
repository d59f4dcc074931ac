"""A rate per client address, for the page's HTTP routes (commands, the appliance's routes).

Each address has its own token bucket; at most `PEERS` are remembered at once,
and forgetting them all only ever lets a client through once more.
"""

from __future__ import annotations

from collections.abc import Callable

from treadpace.base.rate_limit import TokenBucket

PEERS = 256
"""Client addresses whose rate is remembered at once."""


class PeerRates:
    def __init__(self, rate: float, burst: int, now: Callable[[], float]) -> None:
        self._rate, self._burst, self._now = rate, burst, now
        self._buckets: dict[str, TokenBucket] = {}

    def take(self, peer: str) -> bool:
        """Whether `peer` may make one more request now."""
        bucket = self._buckets.get(peer)
        if bucket is None:
            if len(self._buckets) >= PEERS:
                self._buckets.clear()
            bucket = self._buckets[peer] = TokenBucket(self._rate, self._burst, self._now())
        return bucket.take(self._now())
