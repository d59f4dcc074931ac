"""Treadpace plans onto the intervals.icu calendar, as planned workouts the site forwards.

`plan_event` is pure: a day and a compiled plan in, the calendar event out, with
the steps in the site's text format and an external id made from the day and the
plan's name, so pushing the same plan for the same day again updates the event
(`events/bulk?upsert=true`) instead of adding a second one. `push_plans` sends a
whole list at once, `push_to_icu` does it with the profile's account: what a
training program calls to push its weeks.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from treadpace.plans.steps import CompiledPlan
from treadpace.plans.sync_settings import SyncSettings
from treadpace.record.recorder import slugify
from treadpace.store.database import connect
from treadpace.sync.credentials import icu_account
from treadpace.sync.icu_client import IcuClient
from treadpace.workouts.icu_writer import write_icu

PLAN_PREFIX = "treadpace-plan-"


@dataclass(frozen=True)
class Pushed:
    day: dt.date
    plan_name: str
    external_id: str
    event_id: str


def plan_external_id(day: dt.date, plan: CompiledPlan) -> str:
    return f"{PLAN_PREFIX}{day.isoformat()}-{slugify(plan.name)}"


def plan_event(day: dt.date, plan: CompiledPlan) -> dict[str, Any]:
    return {
        "category": "WORKOUT",
        "type": "Run",
        "start_date_local": f"{day.isoformat()}T00:00:00",
        "name": plan.name,
        "description": write_icu(plan),
        "indoor": True,
        "moving_time": round(plan.total_time_s),
        "distance": round(plan.total_distance_m, 1),
        "external_id": plan_external_id(day, plan),
    }


async def push_plans(
    client: IcuClient, items: Sequence[tuple[dt.date, CompiledPlan]]
) -> list[Pushed]:
    """Create or update one planned workout per (day, plan); SyncError when the site says no."""
    if not items:
        return []
    events = [plan_event(day, plan) for day, plan in items]
    answered = await client.upsert_events(events)
    ids = {str(e.get("external_id")): str(e.get("id", "")) for e in answered}
    return [
        Pushed(day, plan.name, event["external_id"], ids.get(event["external_id"], ""))
        for (day, plan), event in zip(items, events, strict=True)
    ]


async def push_to_icu(
    settings: SyncSettings, items: Sequence[tuple[dt.date, CompiledPlan]], now: float
) -> list[Pushed]:
    """Push a list of (day, plan) with the profile's intervals.icu account, and remember it.

    What a program calls to put its weeks on the calendar; a UserError when intervals.icu
    is not configured, a SyncError when the site cannot be reached or says no.
    """
    account = icu_account(settings)
    async with aiohttp.ClientSession() as session:
        client = IcuClient(
            session,
            base_url=account.url,
            api_key=account.api_key,
            athlete=account.athlete,
            timeout_s=float(settings.timeout_s),
        )
        pushed = await push_plans(client, items)
    conn = connect()
    try:
        remember(conn, pushed, now)
    finally:
        conn.close()
    return pushed


def remember(conn: sqlite3.Connection, pushed: Sequence[Pushed], now: float) -> None:
    """What each calendar holds of ours, so a program can tell what it already pushed."""
    for item in pushed:
        conn.execute(
            "INSERT INTO sync_pushed (external_id, service, day, plan_name, remote_id, pushed_at)"
            " VALUES (?, 'icu', ?, ?, ?, ?) ON CONFLICT (external_id, service) DO UPDATE SET"
            " remote_id = excluded.remote_id, pushed_at = excluded.pushed_at",
            (item.external_id, item.day.isoformat(), item.plan_name, item.event_id, now),
        )
