"""The journal reader reads a file line by line as the whole file, decoded at once, reads.

`read_journal` never holds a journal's text whole: it decodes the file as it goes
(bytes that are not UTF-8 read as U+FFFD). Here the lines and their damage (bytes
that are not UTF-8, a character cut across the reader's buffer, a carriage return,
blank lines, a torn last line) come out as the file decoded in one piece and split
at each newline gives them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.journals import record
from treadpace.record.codec import JournalLineError, decode_event
from treadpace.record.journal import read_journal
from treadpace.record.synthetic import SyntheticRun

BUFFER = 8192
"""The size of the text reader's chunks: damage around their edges is read too."""


def read_whole(data: bytes) -> tuple[list[object], int, bool]:
    """Events, damaged lines and a torn end, from the file decoded and split in one piece."""
    text = data.decode("utf-8", errors="replace")
    lines = text.split("\n")
    ends_cleanly = text.endswith("\n")
    if ends_cleanly:
        lines.pop()
    header = decode_event(lines[0])
    steps = getattr(header, "steps", ())
    events: list[object] = []
    bad, torn = 0, False
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            events.append(decode_event(line, steps))
        except JournalLineError:
            if number == len(lines) and not ends_cleanly:
                torn = True
            else:
                bad += 1
    return events, bad, torn


def damaged(data: bytes, at: int, damage: bytes) -> bytes:
    return data[:at] + damage + data[at:]


@pytest.fixture(scope="module")
def journal_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = record(tmp_path_factory.mktemp("runs"), SyntheticRun(stop_after_s=120))
    data = path.read_bytes()
    assert len(data) > 3 * BUFFER
    return data


@pytest.mark.parametrize(
    "damage",
    [
        b"\xff\xfe",  # never UTF-8
        "é".encode()[:1],  # the first byte of a two-byte character alone
        "✓".encode(),  # a whole three-byte character (inside a line: damage to its JSON)
        b"\r",
        b"\n\n",
        b"\n\xc3",
    ],
)
@pytest.mark.parametrize("edge", [BUFFER, 2 * BUFFER])
def test_damage_at_a_buffer_edge_reads_as_in_one_piece(
    tmp_path: Path, journal_bytes: bytes, damage: bytes, edge: int
) -> None:
    damaged_lines = 0
    for at in range(edge - 2, edge + 3):
        data = damaged(journal_bytes, at, damage)
        path = tmp_path / "run.jsonl"
        path.write_bytes(data)
        journal = read_journal(path)
        events, bad, torn = read_whole(data)
        assert journal.bad_lines == bad and journal.truncated == torn
        # The reader repairs what it read (times, order); damage here leaves none to repair.
        assert journal.events == events
        damaged_lines += bad
    if damage == b"\xff\xfe":
        assert damaged_lines > 0  # the case reads damage, not only clean lines


@pytest.mark.parametrize("cut", [1, 7, 40])
def test_a_torn_last_line_and_a_missing_final_newline(
    tmp_path: Path, journal_bytes: bytes, cut: int
) -> None:
    for data in (journal_bytes[:-cut], journal_bytes[:-1] + b"\xe2\x9c"):
        path = tmp_path / "run.jsonl"
        path.write_bytes(data)
        journal = read_journal(path)
        events, bad, torn = read_whole(data)
        assert (journal.bad_lines, journal.truncated) == (bad, torn)
        assert journal.events == events
        assert torn == (cut > 1 or data.endswith(b"\x9c"))
