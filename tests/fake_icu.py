"""intervals.icu on a loopback port: activities de-duplicated as the service does, a calendar.

An upload whose file (by hash) or external id it already has is answered 200 with
the activity it has, a new one 201 with a new id: the behaviour the API
description states. `events` is the calendar that `events/bulk?upsert=true`
writes (matching on external_id) and the events listing reads.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from typing import Any

from aiohttp import web

from tests.api_spec import ApiSpec, Call
from tests.fake_service import FakeService, Reply

API_KEY = "icu-test-key-5f3a9c"


class FakeIcu(FakeService):
    def __init__(self, api_key: str = API_KEY) -> None:
        super().__init__(ApiSpec("icu-openapi-subset.json"))
        self.api_key = api_key
        self.activities: dict[str, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self._ids = itertools.count(1001)

    def allowed(self, request: web.Request, op_id: str) -> bool:
        header = request.headers.get("Authorization", "")
        expected = base64.b64encode(f"API_KEY:{self.api_key}".encode()).decode()
        return header == f"Basic {expected}"

    async def answer(self, op_id: str, call: Call, request: web.Request) -> Reply:
        if op_id == "uploadActivity":
            return self._upload(call)
        if op_id == "listEvents":
            oldest = dict(call.query).get("oldest", "")
            newest = dict(call.query).get("newest", "9999")
            shown = [e for e in self.events if oldest <= e["start_date_local"][:10] <= newest]
            return Reply(200, shown)
        if op_id == "updateActivity":
            activity = self.activities.get(request.path.rsplit("/", 1)[1])
            if activity is None:
                return Reply(404, {"message": "not found"})
            activity.update(call.json_body)
            return Reply(200, {"id": request.path.rsplit("/", 1)[1], "type": activity["type"]})
        if op_id == "createMultipleEvents":
            return Reply(200, [self._upsert(event) for event in call.json_body])
        raise AssertionError(op_id)

    def _upload(self, call: Call) -> Reply:
        data = call.form["file"]
        digest = hashlib.sha256(data).hexdigest()
        external = dict(call.query).get("external_id")
        for activity_id, known in self.activities.items():
            if known["hash"] == digest or (external and known["external_id"] == external):
                return Reply(200, {"icu_athlete_id": "i9", "activities": [{"id": activity_id}]})
        activity_id = f"i{next(self._ids)}"
        self.activities[activity_id] = {
            "hash": digest,
            "external_id": external,
            "name": dict(call.query).get("name"),
            "description": dict(call.query).get("description"),
            "type": "Run",  # what a treadmill's FIT file says
        }
        return Reply(201, {"icu_athlete_id": "i9", "activities": [{"id": activity_id}]})

    def _upsert(self, event: dict[str, Any]) -> dict[str, Any]:
        for known in self.events:
            if event.get("external_id") and known.get("external_id") == event["external_id"]:
                known.update(event)
                return known
        stored = {**event, "id": next(self._ids)}
        self.events.append(stored)
        return stored
