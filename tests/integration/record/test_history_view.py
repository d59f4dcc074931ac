"""`treadpace history` is honest: one unit per column, simulated and departed runs marked,
totals that leave simulated runs out, and a weekly summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.where import ROOT
from treadpace.engine.causes import Departure
from treadpace.record.history_view import Units, marks, totals, weekly
from treadpace.record.recorder import Recorder
from treadpace.record.runs import RunSummary
from treadpace.record.synthetic import SyntheticRun, synthetic_events

DAY = 86_400.0


def _record(directory: Path, run: SyntheticRun) -> None:
    recorder = Recorder(directory)
    for event in synthetic_events(run):
        recorder.handle(event)
    recorder.close()


def _history(tmp_path: Path) -> Path:
    runs = tmp_path / "runs"
    base = SyntheticRun().start_wall  # a Friday
    _record(runs, SyntheticRun(plan_name="Metric", device="ftms:AA", simulated=False,
                               start_wall=base))  # fmt: skip
    _record(runs, SyntheticRun(plan_name="Miles", imperial=True, device="ftms:AA",
                               simulated=False, start_wall=base + 3 * DAY))  # fmt: skip
    _record(runs, SyntheticRun(plan_name="Sim", start_wall=base + 4 * DAY))
    return runs


def _cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TREADPACE_HOME": str(home), "COLUMNS": "160"}
    env.pop("TREADPACE_PROFILE", None)
    return subprocess.run([sys.executable, "-m", "treadpace", *args],
                          capture_output=True, text=True, env=env, check=False)  # fmt: skip


def test_every_column_in_the_profiles_units(tmp_path: Path) -> None:
    runs = _history(tmp_path)
    metric = _cli("history", "--dir", str(runs), "--profile",
                  str(ROOT / "configs/profiles/metric.yaml"), home=tmp_path)  # fmt: skip
    assert metric.returncode == 0, metric.stderr
    heading = next(line for line in metric.stdout.splitlines() if "run (UTC start)" in line)
    assert heading.split()[4:7] == ["km", "time", "pace/km"]
    assert "/mi" not in metric.stdout and " mi " not in metric.stdout
    imperial = _cli("history", "--dir", str(runs), "--profile",
                    str(ROOT / "configs/profiles/imperial.yaml"), home=tmp_path)  # fmt: skip
    heading = next(line for line in imperial.stdout.splitlines() if "run (UTC start)" in line)
    assert heading.split()[4:7] == ["mi", "time", "pace/mi"] and "/km" not in imperial.stdout
    assert "total: 2 run(s)" in metric.stdout and "(and 1 simulated, not counted)" in metric.stdout
    assert "By week" in metric.stdout and "progression runs" in metric.stdout
    lines = [line for line in metric.stdout.splitlines() if "Sim " in line or " Sim" in line]
    assert lines and all("(sim)" in line.split("Sim", 1)[1] for line in lines)
    data = json.loads(_cli("history", "--dir", str(runs), "--json", home=tmp_path).stdout)
    assert [r["simulated"] for r in data] == [False, False, True]
    assert all(r["avg_pace"].endswith("/km") for r in data)  # the default profile is metric


def test_marks_totals_and_weeks() -> None:
    def summary(day: float, device: str = "ftms", **kw: object) -> RunSummary:
        base: dict[str, object] = dict(
            id=str(day), path=Path("x"), start_wall=1_767_225_600 + day * DAY, plan_name="p",
            imperial=False, distance_m=5000.0, timer_s=1800.0, status="finished",
            device=device, plan_kind="thirds",
        )  # fmt: skip
        base.update(kw)
        return RunSummary(**base)  # type: ignore[arg-type]

    guided = summary(1, departures=((Departure.GUIDED, 250.0), (Departure.CAPPED, 90.0)))
    assert marks(guided) == "guided 4:10, capped 1:30"
    assert marks(summary(2, "simulator:generic", simulated=True)) == "sim"
    assert marks(summary(3)) == ""
    sim = summary(2, "simulator:generic", simulated=True)
    runs = [summary(0), guided, sim, summary(9, plan_kind="steady")]
    km = Units(False)
    assert totals(runs, km) == "total: 3 run(s), 15.00 km in 1:30:00 (and 1 simulated, not counted)"
    assert weekly(runs, km) == [
        ("2026-W01", "2", "10.00", "1:00:00", "2"),  # Thursday 1 January 2026 and the Friday
        ("2026-W02", "1", "5.00", "30:00", "0"),
    ]
