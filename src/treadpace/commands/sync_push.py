"""`treadpace sync push PLAN --date DATE`: one plan onto the intervals.icu calendar.

The plan is compiled for the runner (their paces, their limits) and sent as a
planned workout; the site forwards it to a Garmin watch when its Garmin upload is
on. Exit 0 when pushed, 2 for a bad plan, date or key, 5 when the site could not
be reached (nothing is queued: push again).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import time
from typing import TYPE_CHECKING

from treadpace.base.printable import printable
from treadpace.base.user_error import UserError

if TYPE_CHECKING:
    from treadpace.plans.profile import Profile

UNREACHED_EXIT = 5


def parse_day(text: str | None, today: dt.date) -> dt.date:
    word = (text or "").strip().lower()
    if word in ("", "today"):
        return today
    if word == "tomorrow":
        return today + dt.timedelta(days=1)
    try:
        return dt.date.fromisoformat(word)
    except ValueError:
        raise UserError(f"--date: expected YYYY-MM-DD, today or tomorrow, got {text!r}") from None


def push_command(profile: Profile, words: list[str], date: str | None, to: str | None) -> int:
    from treadpace.library import load_with_notes
    from treadpace.plans.loader import compile_plan
    from treadpace.sync.failure import SyncError
    from treadpace.sync.push import push_to_icu

    if len(words) != 1:
        raise UserError("sync push: expected one PLAN (a file or a plan's name) and --date DATE")
    if to not in (None, "icu"):
        raise UserError("sync push: --to: plans go to intervals.icu only (icu)")
    day = parse_day(date, dt.date.today())
    plan, source, _ = load_with_notes(words[0])
    compiled = compile_plan(plan, profile, source)
    try:
        pushed = asyncio.run(push_to_icu(profile.sync, [(day, compiled)], time.time()))
    except SyncError as exc:
        print(f"sync push: {printable(str(exc))}", file=sys.stderr)
        return UserError.exit_code if not exc.retry_later else UNREACHED_EXIT
    for item in pushed:
        print(
            f"{item.day}: {printable(item.plan_name)} on the intervals.icu calendar"
            f" (event {printable(item.event_id)})"
        )
    return 0
