"""`treadpace run` puts the cues on the stream: the run's journal holds them, typed."""

from __future__ import annotations

import json
from pathlib import Path

from tests.run_proc import treadpace, write_plan

PLAN = """\
name: cue check
kind: custom
segments:
  - {name: easy, duration: "2:00", pace: easy}
  - {name: fast, duration: "2:00", pace: threshold}
"""


def test_a_run_records_its_cues_in_the_journal(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, PLAN)
    r = treadpace(tmp_path, "run", str(plan), "--virtual-clock", "--yes", "--quiet")
    assert r.returncode == 0, r.stderr
    [journal] = (tmp_path / "home").rglob("*.jsonl")
    lines = [json.loads(x) for x in journal.read_text().splitlines()]
    cues = [(x["kind"], x.get("seconds")) for x in lines if x["type"] == "cue"]
    assert cues[:5] == [("change", 0), ("upcoming", 10), ("countdown", 3), ("countdown", 2),
                        ("countdown", 1)]  # fmt: skip
    assert ("halfway", 0) in cues and ("last_step", 0) in cues
    assert cues[-1] == ("finish", 0)
    assert [x["type"] for x in lines].index("run_finished") == len(lines) - 1
