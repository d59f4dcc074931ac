"""What the fake intervals.icu and Strava servers share: a real loopback server, the API
description check on every exchange, and faults to inject.

A fake is an aiohttp application on a free port of 127.0.0.1. Each request is
parsed (query, JSON or form) and checked against the service's trimmed API
description before the fake answers it, and each answer is checked too; what
breaks the description is kept in `violations`, which every test's teardown
asserts is empty. `fail(op, ...)` queues a fault for the next calls of an
operation: an HTTP status with headers, no answer at all (a hang the client's
timeout ends), a connection dropped while the request is still being sent, or a
body that is not JSON.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.api_spec import ApiSpec, Call


@dataclass
class Fault:
    op: str
    kind: str = "status"
    """status, hang, drop or malformed."""
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    times: int = 1


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class FakeService:
    """Subclasses answer in `answer(op_id, call, request)` and say who may call in `allowed`."""

    def __init__(self, spec: ApiSpec) -> None:
        self.spec = spec
        self.faults: list[Fault] = []
        self.calls: list[str] = []
        self.violations: list[str] = []
        self.seen_headers: list[dict[str, str]] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    def fail(self, op: str, kind: str = "status", **kwargs: Any) -> None:
        self.faults.append(Fault(op, kind, **kwargs))

    async def start(self) -> str:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = getattr(site, "_server", None)
        assert server is not None
        port = server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _take(self, op_id: str) -> Fault | None:
        for fault in self.faults:
            if fault.op == op_id:
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.seen_headers.append(dict(request.headers))
        op_id = self.op_id(request)
        fault = self._take(op_id) if op_id else None
        if fault is not None and fault.kind == "drop":
            await request.content.read(256)  # part of the upload, then the line goes dead
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=500)
        call = await _call(request)
        try:
            op = self.spec.check_request(call) if op_id != "oauth" else {}
        except AssertionError as exc:
            self.violations.append(str(exc))
            return web.json_response({"message": "bad request"}, status=400)
        self.calls.append(op_id)
        if fault is not None:
            return await self._fault(fault)
        if not self.allowed(request, op_id):
            return web.json_response({"message": "Authorization Error"}, status=401)
        reply = await self.answer(op_id, call, request)
        if op:
            try:
                self.spec.check_response(op, reply.status, reply.body)
            except AssertionError as exc:
                self.violations.append(str(exc))
        return web.json_response(reply.body, status=reply.status, headers=reply.headers)

    async def _fault(self, fault: Fault) -> web.StreamResponse:
        if fault.kind == "hang":
            await asyncio.Event().wait()
        if fault.kind == "malformed":
            return web.Response(status=200, text='{"id": "i1", ', content_type="application/json")
        body = fault.body if fault.body is not None else {"message": f"error {fault.status}"}
        return web.json_response(body, status=fault.status, headers=fault.headers)

    def op_id(self, request: web.Request) -> str:
        if request.path.startswith("/oauth/"):
            return "oauth"
        try:
            op, _ = self.spec.operation(request.method, request.path)
        except AssertionError:
            return ""
        return str(op["operationId"])

    def allowed(self, request: web.Request, op_id: str) -> bool:
        raise NotImplementedError

    async def answer(self, op_id: str, call: Call, request: web.Request) -> Reply:
        raise NotImplementedError


async def _call(request: web.Request) -> Call:
    content_type = request.headers.get("Content-Type", "")
    call = Call(request.method, request.path, list(request.query.items()), content_type)
    if content_type.startswith("multipart/form-data"):
        reader = await request.multipart()
        async for part in reader:
            name = getattr(part, "name", None)
            if name is None:
                continue
            data = await part.read()  # type: ignore[union-attr]
            is_file = getattr(part, "filename", None) is not None
            call.form[name] = bytes(data) if is_file else bytes(data).decode()
    elif content_type.startswith("application/x-www-form-urlencoded"):
        call.form = dict((await request.post()).items())
    elif request.can_read_body:
        raw = await request.read()
        try:
            call.json_body = json.loads(raw)
        except ValueError:
            call.json_body = raw
    return call
