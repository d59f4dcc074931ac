"""Why a request to a service failed, as one line that says what to do, and no secret in it.

Every failure is a `SyncError` with a `Failure` kind; behaviour is decided on the
kind (retry later, wait out a rate limit, stop using a refused key), the text is
for the runner. Text that came from a service passes `redact` first: a secret the
service echoed back is never printed, logged or kept in the outbox.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from treadpace.base.printable import printable

SERVICE_NAMES = {"icu": "intervals.icu", "strava": "Strava"}


class Failure(enum.StrEnum):
    AUTH = "auth"
    """The key or token was refused (401): wrong, revoked or expired for good."""
    FORBIDDEN = "forbidden"
    """Authenticated, but not allowed (403): a missing scope, a key without write access."""
    NOT_FOUND = "not_found"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    """The service answered with a server error (5xx)."""
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    """No answer at all: offline, DNS, a refused or dropped connection."""
    BAD_ANSWER = "bad_answer"
    """An answer that is not what the API describes (malformed JSON, missing fields)."""
    REJECTED = "rejected"
    """The service understood and said no (400, 409, 422): sending it again will not help."""


RETRY_LATER = frozenset(
    {
        Failure.RATE_LIMITED,
        Failure.UNAVAILABLE,
        Failure.TIMEOUT,
        Failure.CONNECTION,
        Failure.BAD_ANSWER,
    }
)
"""Kinds that leave the run queued for a later try; the others need the runner."""

_ADVICE = {
    Failure.AUTH: "the {what} was refused; {fix}",
    Failure.FORBIDDEN: "the {what} is not allowed to do this; {fix}",
    Failure.NOT_FOUND: "not found ({detail}); check the service URL and the athlete id",
    Failure.RATE_LIMITED: "rate limit reached; {detail}",
    Failure.UNAVAILABLE: "the service is down ({detail}); kept in the outbox for later",
    Failure.TIMEOUT: "no answer in time; kept in the outbox for later",
    Failure.CONNECTION: "cannot reach the service ({detail}); kept in the outbox for later",
    Failure.BAD_ANSWER: "unexpected answer ({detail}); kept in the outbox for later",
    Failure.REJECTED: "refused: {detail}",
}
_FIX = {
    "icu": (
        "API key",
        "check TREADPACE_ICU_API_KEY or sync.icu.api_key_file (intervals.icu, Settings, Developer)",
    ),
    "strava": (
        "authorisation",
        "run `treadpace sync strava --authorize` again (or set TREADPACE_STRAVA_REFRESH_TOKEN)",
    ),
}


class SyncError(Exception):
    """One failed exchange with a service. `str()` is the complete one-line message."""

    def __init__(
        self, service: str, kind: Failure, detail: str = "", retry_after: float | None = None
    ) -> None:
        self.service = service
        self.kind = kind
        self.detail = detail
        self.retry_after = retry_after
        super().__init__(self.line())

    @property
    def retry_later(self) -> bool:
        return self.kind in RETRY_LATER

    def line(self) -> str:
        what, fix = _FIX.get(self.service, ("credential", "check the sync settings"))
        text = _ADVICE[self.kind].format(what=what, fix=fix, detail=self.detail or "no detail")
        return f"{SERVICE_NAMES.get(self.service, self.service)}: {text}"


def redact(text: str, secrets: Iterable[str], limit: int = 160) -> str:
    """Service text made safe to show: secrets masked, control characters gone, kept short."""
    out = text
    for secret in secrets:
        if secret and len(secret) >= 4:
            out = out.replace(secret, "***")
    out = " ".join(printable(out).split())
    return out if len(out) <= limit else out[: limit - 1] + "…"
