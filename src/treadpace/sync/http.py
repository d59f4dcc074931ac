"""One request to a service and its answer, with every transport failure named.

The clients (`icu`, `strava`, `strava_auth`) say what to send; `send` sends it
with a bounded time, reads the whole answer, and turns aiohttp's exceptions into
a `SyncError` of the right kind; `check` does the same for the HTTP status. The
request's credentials travel in headers or form fields, never in a URL, and no
exception text from a request (which could quote one) is passed on.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from treadpace.sync.failure import Failure, SyncError, redact

MAX_ANSWER_BYTES = 4_000_000
"""No answer the sync reads is near this; a longer one is not what the API describes."""


@dataclass(frozen=True)
class Answer:
    service: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    secrets: Sequence[str] = ()

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise SyncError(
                self.service, Failure.BAD_ANSWER, f"HTTP {self.status}, not JSON"
            ) from None

    def message(self) -> str:
        """What the service said, made safe to show (its `message`/`error`, else the text)."""
        text = self.body[:2000].decode("utf-8", errors="replace")
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            for key in ("message", "error", "error_description"):
                if isinstance(data.get(key), str):
                    text = data[key]
                    break
        return redact(text, self.secrets)


async def send(
    session: aiohttp.ClientSession,
    service: str,
    method: str,
    url: str,
    *,
    timeout_s: float,
    secrets: Sequence[str] = (),
    **kwargs: Any,
) -> Answer:
    """The answer to one request; SyncError (timeout, connection) when there is none."""
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    try:
        async with session.request(method, url, timeout=timeout, **kwargs) as response:
            body = await response.content.read(MAX_ANSWER_BYTES + 1)
            headers = {k: v for k, v in response.headers.items()}
            status = response.status
    except TimeoutError:
        raise SyncError(service, Failure.TIMEOUT) from None
    except (aiohttp.ClientError, OSError, asyncio.IncompleteReadError) as exc:
        # The exception's text may hold the request; only its kind is passed on.
        raise SyncError(service, Failure.CONNECTION, type(exc).__name__) from None
    if len(body) > MAX_ANSWER_BYTES:
        raise SyncError(service, Failure.BAD_ANSWER, f"HTTP {status}, an answer too long")
    return Answer(service, status, headers, body, tuple(secrets))


def check(
    answer: Answer, wait_after_limit: Callable[[Mapping[str, str]], float] | None = None
) -> Answer:
    """The answer when its status is a success; otherwise the SyncError its status means."""
    status = answer.status
    if 200 <= status < 300:
        return answer
    detail = f"HTTP {status}" + (f": {answer.message()}" if answer.body.strip() else "")
    if status == 401:
        raise SyncError(answer.service, Failure.AUTH, detail)
    if status == 403:
        raise SyncError(answer.service, Failure.FORBIDDEN, detail)
    if status == 404:
        raise SyncError(answer.service, Failure.NOT_FOUND, detail)
    if status == 429:
        wait = wait_after_limit(answer.headers) if wait_after_limit is not None else 60.0
        raise SyncError(
            answer.service, Failure.RATE_LIMITED, f"waiting {wait:.0f} s", retry_after=wait
        )
    if status >= 500:
        raise SyncError(answer.service, Failure.UNAVAILABLE, detail)
    raise SyncError(answer.service, Failure.REJECTED, detail)
