"""How long a rate-limited client must wait: the services' windows, read from their headers.

Strava counts requests in two windows, 15 minutes (starting on the quarter hour)
and one day (starting at midnight UTC), and says both in every answer:
`X-RateLimit-Limit: 200,2000` and `X-RateLimit-Usage: 57,1210`. A 429 is waited out
to the end of the window that is spent (the day's, if both are). A `Retry-After`
header, which intervals.icu may send, is taken as it is. Pure: headers and the wall
time in, seconds out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

QUARTER_S = 15 * 60
DAY_S = 24 * 3600


@dataclass(frozen=True)
class Usage:
    short_limit: int
    short_used: int
    daily_limit: int
    daily_used: int

    @property
    def short_spent(self) -> bool:
        return self.short_used >= self.short_limit

    @property
    def daily_spent(self) -> bool:
        return self.daily_used >= self.daily_limit


def _pair(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    parts = text.split(",")
    if len(parts) < 2:
        return None
    try:
        return int(parts[0].strip()), int(parts[1].strip())
    except ValueError:
        return None


def usage(headers: Mapping[str, str]) -> Usage | None:
    """The two windows from `X-RateLimit-Limit` and `X-RateLimit-Usage`, or None."""
    limit = _pair(headers.get("X-RateLimit-Limit"))
    used = _pair(headers.get("X-RateLimit-Usage"))
    if limit is None or used is None:
        return None
    return Usage(limit[0], used[0], limit[1], used[1])


def until_next_quarter(wall: float) -> float:
    return QUARTER_S - (wall % QUARTER_S)


def until_midnight_utc(wall: float) -> float:
    return DAY_S - (wall % DAY_S)


def wait_after_limit(headers: Mapping[str, str], wall: float) -> float:
    """Seconds to wait after a 429 answered at Unix time `wall` (at least one second)."""
    retry_after = headers.get("Retry-After", "").strip()
    if retry_after.isdigit():
        return max(1.0, float(retry_after))
    seen = usage(headers)
    if seen is not None and seen.daily_spent:
        return max(1.0, until_midnight_utc(wall))
    return max(1.0, until_next_quarter(wall))
