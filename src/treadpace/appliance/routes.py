"""The appliance's routes: home, plan preview, start, status, history, a run, its export.

Each is registered on the page's server (`WebServer(api=...)`), so every one is
behind the same Host and Origin checks, the token off loopback and a per-client
rate. Work that reads the disk or compiles a plan runs in a worker thread, and
what it produces is bounded (the plan library, the last `MAX_RUNS` runs), so a
page asking again and again costs the run nothing it cannot spare. Answers are
JSON; a bad field is one line naming it (400), never a traceback.

Upload goes through the sync's own `send_run` (the outbox, exactly once), bounded in
time: a service that hangs leaves the run queued for `treadpace sync`, never the page.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from treadpace.appliance.preview import (
    PROGRAM,
    SUGGESTION,
    compile_for_today,
    library_rows,
    parse_adjust,
    preview,
    suggestion,
)
from treadpace.base.printable import printable
from treadpace.base.user_error import UserError

if TYPE_CHECKING:
    from treadpace.appliance.one_run import Appliance
    from treadpace.web.page_server import Route

MAX_BODY = 2048
RECENT = 5
EXPORTS = {"fit": "application/vnd.ant.fit", "tcx": "application/vnd.garmin.tcx+xml"}


def _bad(message: str, status: int = 400) -> web.Response:
    return web.json_response({"ok": False, "refused": None, "error": message}, status=status)


async def _body(request: web.Request) -> dict[str, Any]:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise UserError("body: expected a small JSON object")
    try:
        data = json.loads(await request.text())
    except ValueError:
        raise UserError("body: expected a JSON object") from None
    if not isinstance(data, dict):
        raise UserError("body: expected a JSON object")
    return data


UPLOAD_BUDGET_S = 60.0
"""How long the page's upload waits for the services before the run is left queued."""


class Routes:
    """The handlers, bound to one appliance."""

    def __init__(self, appliance: Appliance) -> None:
        self.app = appliance
        self._radio = asyncio.Lock()
        """One scan or info at a time, whatever the pages ask: it is one radio."""

    def routes(self) -> list[Route]:
        return [
            ("GET", "/api/home", self.home),
            ("GET", "/api/plan", self.plan),
            ("POST", "/api/start", self.start),
            ("GET", "/api/status", self.status),
            ("GET", "/api/runs", self.runs),
            ("GET", "/api/runs/{id}", self.run),
            ("GET", "/api/runs/{id}/export/{fmt}", self.export),
            ("POST", "/api/runs/{id}/upload", self.upload),
            ("POST", "/api/profile/check", self.profile_check),
            ("POST", "/api/profile", self.profile_write),
            ("GET", "/api/treadmill", self.treadmill),
            ("GET", "/api/treadmill/info", self.treadmill_info),
            ("POST", "/api/treadmill/scan", self.treadmill_scan),
            ("POST", "/api/treadmill", self.treadmill_choose),
        ]

    def _directory(self) -> tuple[Path, bool]:
        prof = self.app.load_profile()
        return Path(prof.recording.directory).expanduser(), prof.imperial

    async def home(self, request: web.Request) -> web.Response:
        try:
            data = await asyncio.to_thread(self._home)
        except UserError as exc:
            return _bad(printable(str(exc)))
        return web.json_response(data)

    def _home(self) -> dict[str, Any]:
        from treadpace.web.history_page import runs_page

        prof = self.app.load_profile()
        plan, _, reasons = suggestion(prof)
        title = plan.name or plan.kind.replace("-", " ")  # a suggested progression has no name
        today: dict[str, Any] = {"name": SUGGESTION, "title": printable(title)}
        today["reasons"] = [printable(r) for r in reasons]
        program: dict[str, Any] | None = None
        try:
            from treadpace.program.service import today_plan

            workout, _, why = today_plan(prof)
            program = {"name": PROGRAM, "title": printable(workout.name or "today")}
            program["reasons"] = [printable(r) for r in why]
        except UserError as exc:  # no program, or a rest day: said, not an error
            program = {"name": "", "title": "", "reasons": [printable(str(exc))]}
        directory = Path(prof.recording.directory).expanduser()
        runs = runs_page(directory, prof.imperial)
        return {
            "profile": {
                "name": printable(prof.name),
                "default": prof.is_default,
                "units": prof.units,
                "remote_start": bool(prof.mqtt.allow_remote_start),
                "sync_to": list(prof.sync.to),
            },
            "today": today,
            "program": program,
            "plans": library_rows(prof),
            "runs": runs["runs"][:RECENT],
            **self.app.status(),
        }

    async def plan(self, request: web.Request) -> web.Response:
        name = request.query.get("name", "")[:64]
        try:
            adjust = parse_adjust(request.query)
            compiled, prof = await asyncio.to_thread(
                compile_for_today, name, self.app.load_profile(), adjust
            )
        except UserError as exc:
            return _bad(printable(str(exc)))
        return web.json_response({"plan": name, **preview(compiled, prof)})

    async def start(self, request: web.Request) -> web.Response:
        try:
            body = await _body(request)
            adjust = parse_adjust(body)
        except UserError as exc:
            return _bad(printable(str(exc)))
        name = str(body.get("plan", ""))[:64]
        answer = await self.app.start(name, adjust, at_treadmill=body.get("at_treadmill") is True)
        status = 200 if answer.ok else (400 if answer.refused == "bad_input" else 409)
        return web.json_response(answer.as_dict(), status=status)

    async def status(self, request: web.Request) -> web.Response:
        return web.json_response(self.app.status())

    async def runs(self, request: web.Request) -> web.Response:
        from treadpace.web.history_page import runs_page

        directory, imperial = self._directory()
        return web.json_response(await asyncio.to_thread(runs_page, directory, imperial))

    async def run(self, request: web.Request) -> web.Response:
        from treadpace.web.history_page import run_detail

        directory, imperial = self._directory()
        run_id = request.match_info["id"][:128]
        detail = await asyncio.to_thread(run_detail, directory, run_id, imperial)
        if detail is None:
            return _bad("run: no run with that id", 404)
        return web.json_response(detail)

    async def export(self, request: web.Request) -> web.Response:
        fmt = request.match_info["fmt"]
        if fmt not in EXPORTS:
            return _bad(f"format: expected one of {', '.join(EXPORTS)}", 404)
        directory, _ = self._directory()
        run_id = request.match_info["id"][:128]
        body = await asyncio.to_thread(_exported, directory, run_id, fmt)
        if body is None:
            return _bad("run: no run with that id", 404)
        return web.Response(
            body=body,
            content_type=EXPORTS[fmt],
            headers={"Content-Disposition": f'attachment; filename="{run_id}.{fmt}"'},
        )

    async def upload(self, request: web.Request) -> web.Response:
        """Send a run to the profile's services (sync.to) now; it stays queued if they fail.

        Bounded (`UPLOAD_BUDGET_S`): the page never waits on a service that hangs, and
        what did not go is in the outbox for `treadpace sync`.
        """
        from treadpace.base.clock import ClockTimeout, RealClock, wait_for
        from treadpace.sync.send import send_run
        from treadpace.web.history_page import find_run

        directory, _ = self._directory()
        prof = self.app.load_profile()
        services: list[str] = list(prof.sync.to)
        if not services:
            return _bad("upload: no service to send to; set sync.to in the profile", 409)
        found = await asyncio.to_thread(find_run, directory, request.match_info["id"][:128])
        if found is None:
            return _bad("run: no run with that id", 404)
        if found.simulated:
            return _bad("upload: a run on the simulator is not training; nothing sent", 409)
        clock = RealClock()
        try:
            report, there = await wait_for(
                clock, send_run(prof.sync, found.path, services, clock), UPLOAD_BUDGET_S
            )
        except ClockTimeout:
            return _bad("upload: no answer in time; the run stays queued for `sync`", 504)
        except UserError as exc:
            return _bad(printable(str(exc)), 409)
        lines = [f"already on {e.service} ({e.remote_id})" for e in there]
        lines += [f"on {e.service} ({remote})" for e, remote in report.uploaded]
        lines += report.lines
        ok = not report.failed and not report.queued and not report.refused
        return web.json_response({"ok": ok, "lines": [printable(x) for x in lines]})

    async def profile_check(self, request: web.Request) -> web.Response:
        from treadpace.appliance.first_run import field_errors

        try:
            body = await _body(request)
        except UserError as exc:
            return _bad(printable(str(exc)))
        errors = await asyncio.to_thread(field_errors, body)
        return web.json_response({"ok": not errors, "errors": errors})

    async def profile_write(self, request: web.Request) -> web.Response:
        from treadpace.appliance.first_run import profile_of, target, write_first

        try:
            body = await _body(request)
            text = await asyncio.to_thread(profile_of, body)
            path = target(self.app.profile_path)
            await asyncio.to_thread(write_first, path, text)
        except UserError as exc:
            return _bad(printable(str(exc)))
        return web.json_response({"ok": True, "path": str(path)})

    async def treadmill(self, request: web.Request) -> web.Response:
        from treadpace.appliance.treadmills import models
        from treadpace.base import display as fmt

        prof = self.app.load_profile()
        chosen = self.app.treadmill
        return web.json_response(
            {
                "label": chosen.label,
                "simulated": chosen.sim_model is not None,
                "models": await asyncio.to_thread(models),
                "limits": f"profile limits: {fmt.speed(prof.max_speed_kmh, prof.imperial)}, "
                f"{prof.max_incline_percent:g} % incline",
            }
        )

    async def _radio_work(self, work: Any) -> web.Response:
        if self.app.running:
            return _bad("a run is going: the treadmill is busy", 409)
        if self._radio.locked():
            return _bad("the radio is busy: try again in a moment", 429)
        async with self._radio:
            try:
                return web.json_response(await work())
            except UserError as exc:  # Bluetooth gone, treadmill off: said, serve goes on
                return _bad(printable(str(exc)), 503)

    async def treadmill_info(self, request: web.Request) -> web.Response:
        from treadpace.appliance.treadmills import info

        async def work() -> dict[str, Any]:
            return {"lines": [printable(line) for line in await info(self.app.treadmill)]}

        return await self._radio_work(work)

    async def treadmill_scan(self, request: web.Request) -> web.Response:
        from treadpace.appliance.treadmills import scan_rows

        async def work() -> dict[str, Any]:
            return {"rows": await scan_rows()}

        return await self._radio_work(work)

    async def treadmill_choose(self, request: web.Request) -> web.Response:
        from treadpace.appliance.first_run import target
        from treadpace.appliance.one_run import Treadmill
        from treadpace.appliance.treadmills import check_choice, pin

        try:
            body = await _body(request)
            model, address = check_choice(body)
            if address is not None and body.get("pin") is True:
                await asyncio.to_thread(pin, target(self.app.profile_path), address)
        except UserError as exc:
            return _bad(printable(str(exc)))
        answer = self.app.choose(Treadmill(model, address))
        body = {**answer.as_dict(), "label": self.app.treadmill.label}
        return web.json_response(body, status=200 if answer.ok else 409)


def _exported(directory: Path, run_id: str, fmt: str) -> bytes | None:
    """The run exported as `fmt`, written in a scratch folder (the runs folder is left alone)."""
    from treadpace.record.activity import build_activity
    from treadpace.record.export import write_format
    from treadpace.record.journal import read_journal
    from treadpace.web.history_page import find_run

    run = find_run(directory, run_id)
    if run is None:
        return None
    activity = build_activity(read_journal(run.path))
    with tempfile.TemporaryDirectory() as scratch:
        path = write_format(activity, fmt, Path(scratch) / f"export.{fmt}")
        return path.read_bytes()
