"""Plans onto the intervals.icu calendar: the steps in the site's text format (read back,
the same paces), an external id per day and plan so a second push updates, not adds."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.fake_icu import API_KEY, FakeIcu
from tests.run_proc import treadpace_async
from treadpace.library import load_with_notes
from treadpace.plans.loader import compile_plan, plan_from_document
from treadpace.plans.profile import default_profile
from treadpace.plans.steps import CompiledPlan
from treadpace.plans.yaml_document import Document
from treadpace.sync.icu_client import IcuClient
from treadpace.sync.push import plan_event, push_plans
from treadpace.workouts.icu_reader import read_icu
from treadpace.workouts.icu_writer import write_icu


@pytest.fixture
async def icu() -> AsyncIterator[FakeIcu]:
    fake = FakeIcu()
    await fake.start()
    yield fake
    await fake.close()
    assert fake.violations == []


def compiled(name: str) -> CompiledPlan:
    plan, source, _ = load_with_notes(name)
    return compile_plan(plan, default_profile(), source)


@pytest.mark.parametrize("name", ["thirds", "steady", "fast-finish", "negative-split"])
def test_a_pushed_plan_reads_back_at_the_same_paces(name: str) -> None:
    original = compiled(name)
    text = write_icu(original)
    imported = read_icu(text.encode(), f"{name}.txt")
    again = compile_plan(
        plan_from_document(Document(path="pushed", data=imported.plan)), default_profile()
    )
    assert len(again.steps) == len(original.steps)
    for a, b in zip(original.steps, again.steps, strict=True):
        assert (a.kind, a.role) == (b.kind, b.role)
        assert a.amount == pytest.approx(b.amount, abs=1.0)
        pace_a, pace_b = 3600 / a.speed_kmh, 3600 / b.speed_kmh
        assert pace_a == pytest.approx(pace_b, abs=1.0)  # seconds per km


async def test_pushing_a_list_twice_updates_the_same_events(icu: FakeIcu) -> None:
    day = dt.date(2026, 12, 8)
    items = [(day, compiled("thirds")), (day + dt.timedelta(days=2), compiled("steady"))]
    async with aiohttp.ClientSession() as session:
        client = IcuClient(session, base_url=icu.url, api_key=API_KEY)
        first = await push_plans(client, items)
        second = await push_plans(client, items)
    assert len(icu.events) == 2
    assert [p.event_id for p in first] == [p.event_id for p in second]
    stored = icu.events[0]
    assert stored["type"] == "Run" and stored["category"] == "WORKOUT"
    assert stored["start_date_local"] == "2026-12-08T00:00:00"
    assert stored["external_id"] == plan_event(day, items[0][1])["external_id"]
    assert "/km Pace" in stored["description"]


async def test_sync_push_command(icu: FakeIcu, tmp_path: Path) -> None:
    code, out, err = await treadpace_async(
        tmp_path,
        "sync",
        "push",
        "thirds",
        "--date",
        "2026-12-09",
        TREADPACE_ICU_URL=icu.url,
        TREADPACE_ICU_API_KEY=API_KEY,
    )
    assert (code, err) == (0, "")
    assert out.startswith("2026-12-09: ") and "on the intervals.icu calendar (event" in out
    code, _, err = await treadpace_async(
        tmp_path, "sync", "push", "thirds", "--date", "someday", TREADPACE_ICU_API_KEY=API_KEY
    )
    assert code == 2 and "--date: expected YYYY-MM-DD" in err
