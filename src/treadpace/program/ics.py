"""The program as an iCalendar file (RFC 5545): one all-day event a workout.

Each event's UID is the day and the program's start, so importing the file again updates
the events instead of doubling them. Lines end in CRLF and are folded at 75 octets;
text is escaped as the RFC says (backslash, comma, semicolon, newline).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from treadpace.base.display import duration as clock
from treadpace.program.types import Program

PRODID = "-//treadpace//program//EN"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """RFC 5545 3.1: at most 75 octets a line; a continuation starts with a space."""
    out: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode("utf-8")) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def to_ics(program: Program, descriptions: Sequence[str], stamp: dt.datetime) -> str:
    """The calendar; `descriptions` is a text a workout (its steps), `stamp` the DTSTAMP."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    when = stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for w, text in zip(program.workouts, descriptions, strict=True):
        name = str(w.plan.get("name") or w.role.value)
        about = "\n".join(part for part in (w.why, text) if part)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{w.day:%Y%m%d}-{program.start:%Y%m%d}@treadpace",
            f"DTSTAMP:{when}",
            f"DTSTART;VALUE=DATE:{w.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{w.day + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(f'{name} ({clock(w.seconds)})')}",
            f"DESCRIPTION:{_escape(about)}",
            "CATEGORIES:" + ("PROGRESSION" if w.hard else "EASY"),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))
