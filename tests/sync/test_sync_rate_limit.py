"""Strava's two rate-limit windows, read from the headers: how long a 429 waits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from treadpace.sync.strava_limits import (
    DAY_S,
    QUARTER_S,
    until_midnight_utc,
    until_next_quarter,
    usage,
    wait_after_limit,
)

MIDNIGHT = 1_767_225_600.0


def test_usage_reads_both_windows() -> None:
    seen = usage({"X-RateLimit-Limit": "200,2000", "X-RateLimit-Usage": "200,1210"})
    assert seen is not None and seen.short_spent and not seen.daily_spent
    assert usage({"X-RateLimit-Limit": "200"}) is None
    assert usage({"X-RateLimit-Limit": "a,b", "X-RateLimit-Usage": "1,2"}) is None


def test_a_spent_quarter_waits_to_the_next_quarter_hour() -> None:
    headers = {"X-RateLimit-Limit": "100,1000", "X-RateLimit-Usage": "100,500"}
    assert wait_after_limit(headers, MIDNIGHT + 15 * 60 + 100) == 800


def test_a_spent_day_waits_to_midnight_utc() -> None:
    headers = {"X-RateLimit-Limit": "100,1000", "X-RateLimit-Usage": "100,1000"}
    assert wait_after_limit(headers, MIDNIGHT + 3600) == DAY_S - 3600


def test_retry_after_is_taken_as_it_is() -> None:
    assert wait_after_limit({"Retry-After": "42"}, MIDNIGHT + 5) == 42


@given(st.floats(min_value=MIDNIGHT, max_value=MIDNIGHT + 365 * DAY_S))
def test_the_waits_end_on_the_windows_edges(wall: float) -> None:
    quarter = until_next_quarter(wall)
    day = until_midnight_utc(wall)
    assert 0 < quarter <= QUARTER_S and 0 < day <= DAY_S
    assert round(wall + quarter) % QUARTER_S == 0 and round(wall + day) % DAY_S == 0
