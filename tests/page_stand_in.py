"""The live page with a stand-in server: its files from the package, its WebSocket here.

A test routes `ORIGIN` to `serve_static` (the package's static files, as the real
server sends them) and answers the page's WebSocket with a `Server`, which sends
whatever messages the test builds.
"""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Route, WebSocketRoute

from tests.where import ROOT

STATIC = ROOT / "src" / "treadpace" / "web" / "static"
ORIGIN = "http://treadpace.test"
TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript"}


def serve_static(route: Route) -> None:
    path = route.request.url.removeprefix(ORIGIN).split("?", 1)[0]
    name = "index.html" if path == "/" else path.removeprefix("/static/")
    file = STATIC / name
    if not file.is_file():
        route.fulfill(status=404, body="")
        return
    route.fulfill(status=200, body=file.read_bytes(), content_type=TYPES[file.suffix])


class Server:
    """The page's WebSocket, answered here."""

    def __init__(self) -> None:
        self.ws: WebSocketRoute | None = None

    def accept(self, ws: WebSocketRoute) -> None:
        self.ws = ws

    def send(self, message: dict[str, Any]) -> None:
        assert self.ws is not None
        self.ws.send(json.dumps(message))
