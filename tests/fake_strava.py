"""Strava on a loopback port: uploads processed over a few polls, duplicates by external id,
OAuth tokens that expire and rotate, and the rate-limit headers on every answer.

Every request and answer of the three API operations is checked against the trimmed
Swagger description; the OAuth endpoints, which the description leaves out, are
checked by the form fields Strava documents. Poll times are kept on the test's
clock, so a test can see the client keeps to the API's pace.
"""

from __future__ import annotations

import itertools
import secrets
from typing import Any

from aiohttp import web

from tests.api_spec import ApiSpec, Call
from tests.fake_service import FakeService, Reply
from treadpace.base.clock import Clock

CLIENT_ID = "4242"
CLIENT_SECRET = "strava-client-secret-77ab"
TOKEN_FORM = {"client_id", "client_secret", "grant_type", "refresh_token", "code"}


class FakeStrava(FakeService):
    def __init__(self, clock: Clock, processing_polls: int = 2) -> None:
        super().__init__(ApiSpec("strava-swagger-subset.json"))
        self.clock = clock
        self.processing_polls = processing_polls
        self.access: dict[str, float] = {}
        """Valid access tokens and when they expire (wall)."""
        self.refresh: set[str] = set()
        self.codes: set[str] = {"the-code"}
        self.uploads: dict[int, dict[str, Any]] = {}
        self.activities: dict[int, dict[str, Any]] = {}
        self.poll_times: list[float] = []
        self.limit = (100, 1000)
        self.used = [0, 0]
        self._ids = itertools.count(7001)
        self._window = int(clock.wall() // 900)

    def grant(self, expires_in: float = 21600) -> dict[str, Any]:
        access, refresh = secrets.token_hex(8), secrets.token_hex(8)
        self.access[access] = self.clock.wall() + expires_in
        self.refresh.add(refresh)
        expires_at = int(self.clock.wall() + expires_in)
        return {
            "token_type": "Bearer",
            "access_token": access,
            "refresh_token": refresh,
            "expires_at": expires_at,
            "expires_in": int(expires_in),
        }

    def allowed(self, request: web.Request, op_id: str) -> bool:
        if op_id == "oauth":
            return True
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return self.access.get(token, 0.0) > self.clock.wall()

    async def answer(self, op_id: str, call: Call, request: web.Request) -> Reply:
        window = int(self.clock.wall() // 900)
        if window != self._window:  # a new quarter hour: its count starts again
            self._window, self.used[0] = window, 0
        self.used = [self.used[0] + 1, self.used[1] + 1]
        headers = {
            "X-RateLimit-Limit": f"{self.limit[0]},{self.limit[1]}",
            "X-RateLimit-Usage": f"{self.used[0]},{self.used[1]}",
        }
        reply = self._answer(op_id, call, request)
        reply.headers.update(headers)
        return reply

    def _answer(self, op_id: str, call: Call, request: web.Request) -> Reply:
        if op_id == "oauth":
            return self._oauth(call, request.path)
        if op_id == "createUpload":
            return self._create(call)
        if op_id == "getUploadById":
            return self._poll(int(request.path.rsplit("/", 1)[1]))
        if op_id == "updateActivityById":
            activity = self.activities.get(int(request.path.rsplit("/", 1)[1]))
            if activity is None:
                return Reply(404, {"message": "Record Not Found", "errors": []})
            activity.update(call.json_body)
            return Reply(
                200,
                {
                    "id": activity["id"],
                    "sport_type": activity["sport_type"],
                    "trainer": activity["trainer"],
                    "external_id": activity["external_id"],
                },
            )
        raise AssertionError(op_id)

    def _oauth(self, call: Call, path: str) -> Reply:
        form = call.form
        if path == "/oauth/authorize":
            return self._authorize(dict(call.query))
        if path == "/oauth/deauthorize":
            token = str(form.get("access_token", ""))
            if token not in self.access:
                return Reply(401, {"message": "Authorization Error"})
            self.access.clear()
            self.refresh.clear()
            return Reply(200, {"access_token": token})
        assert path == "/oauth/token", path
        unknown = set(form) - TOKEN_FORM
        assert not unknown, f"token request with fields the API does not take: {unknown}"
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return Reply(401, {"message": "Bad Request", "errors": [{"field": "client_id"}]})
        if form.get("grant_type") == "refresh_token" and form.get("refresh_token") in self.refresh:
            self.refresh.discard(str(form["refresh_token"]))  # rotated
            return Reply(200, self.grant())
        if form.get("grant_type") == "authorization_code" and form.get("code") in self.codes:
            return Reply(200, {**self.grant(), "athlete": {"id": 99}})
        return Reply(400, {"message": "Bad Request", "errors": [{"code": "invalid"}]})

    def _authorize(self, query: dict[str, str]) -> Reply:
        """The runner approves at once: back to the redirect address with a code."""
        wanted = {"client_id", "redirect_uri", "response_type", "approval_prompt", "scope", "state"}
        assert set(query) <= wanted and query["response_type"] == "code", query
        assert query["client_id"] == CLIENT_ID
        granted = f"read,{query['scope']}"
        back = f"{query['redirect_uri']}?state={query['state']}&code=the-code&scope={granted}"
        return Reply(302, {}, {"Location": back})

    def _create(self, call: Call) -> Reply:
        upload_id = next(self._ids)
        external = str(call.form.get("external_id", ""))
        self.uploads[upload_id] = {"external_id": external, "polls": 0, "form": call.form}
        return Reply(201, self._status(upload_id))

    def _poll(self, upload_id: int) -> Reply:
        self.poll_times.append(self.clock.now())
        upload = self.uploads.get(upload_id)
        if upload is None:
            return Reply(404, {"message": "Record Not Found", "errors": []})
        upload["polls"] += 1
        return Reply(200, self._status(upload_id))

    def _status(self, upload_id: int) -> dict[str, Any]:
        upload = self.uploads[upload_id]
        base = {"id": upload_id, "id_str": str(upload_id), "external_id": upload["external_id"]}
        if upload["polls"] < self.processing_polls:
            return {
                **base,
                "status": "Your activity is still being processed.",
                "activity_id": None,
                "error": None,
            }
        if "activity_id" not in upload:
            same = [
                a for a in self.activities.values() if a["external_id"] == upload["external_id"]
            ]
            if same:
                upload["error"] = (
                    f"{upload['external_id']}.fit duplicate of activity {same[0]['id']}"
                )
            else:
                activity_id = next(self._ids)
                form = upload["form"]
                self.activities[activity_id] = {
                    "id": activity_id,
                    "external_id": upload["external_id"],
                    "name": form.get("name"),
                    "sport_type": "VirtualRun",
                    "trainer": form.get("trainer") == "1",
                }
                upload["activity_id"] = activity_id
        if upload.get("error"):
            return {
                **base,
                "status": "There was an error processing your activity.",
                "activity_id": None,
                "error": upload["error"],
            }
        return {
            **base,
            "status": "Your activity is ready.",
            "activity_id": upload["activity_id"],
            "error": None,
        }
