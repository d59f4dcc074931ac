"""A token bucket: how often a client may ask for something, decided without a clock object.

A front end (the page's socket, its command endpoint) must never let a client
make the engine's event loop do unbounded work: each client gets a bucket of
`burst` tokens refilled at `per_s` a second, and a request that finds the bucket
empty is dropped and counted. Time is passed in (`now`), so tests decide it.
"""

from __future__ import annotations


class TokenBucket:
    def __init__(self, per_s: float, burst: int, now: float = 0.0) -> None:
        self.per_s = per_s
        self.burst = float(burst)
        self._tokens = float(burst)
        self._at = now
        self.dropped = 0
        """Requests refused since the bucket was made."""

    def take(self, now: float) -> bool:
        """True when one request may go ahead at `now`; False (and counted) when over the rate."""
        if now > self._at:
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.per_s)
            self._at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        self.dropped += 1
        return False
