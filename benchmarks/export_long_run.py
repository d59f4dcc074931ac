"""Export cost of a long run with many laps: a 3-hour, 1,000-step synthetic run, per format.

Run: `.venv/bin/python benchmarks/export_long_run.py [--hours 3 --laps 1000 --no-zones]`.
Prints figures; asserts nothing.
The targets: FIT for 3 h and 1,000 laps <= 1 s, and <= 55 MB peak RSS (reading the
journal, building the activity and writing the file, fit-tool's import included). Each
format is exported in a fresh process, so each peak is its own, `--runs` times
(5 by default); each figure printed is the median of those runs. CPU time is
printed beside the wall time: on a busy machine it is the steadier figure.
Before and after a change, side by side in one sitting: run this script once
on each tree (`PYTHONPATH=<other tree>/src` runs it against another checkout).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

from treadpace.plans.steps import CompiledStep
from treadpace.record.recorder import Recorder
from treadpace.record.synthetic import SyntheticRun, synthetic_events

HOURS = 3.0
LAPS = 1000
RUNS = 5
HR_ZONES = (120, 140, 160, 175, 190)
"""A runner with a heart-rate profile: each tick records its zone, each lap gets a
Time In Zone message (the heavier file; `--no-zones` for a run without)."""


def long_plan(hours: float = HOURS, laps: int = LAPS) -> tuple[CompiledStep, ...]:
    """Alternating steps over `hours`: 1,000 over three hours are 10.8 s each."""
    each = hours * 3600 / laps
    return tuple(
        CompiledStep(f"rep {i + 1}", "time", each, 12.0 if i % 2 else 9.0, incline_percent=1.0)
        for i in range(laps)
    )


def record_journal(
    directory: Path, hours: float = HOURS, laps: int = LAPS, zones: bool = True
) -> Path:
    recorder = Recorder(directory)
    run = SyntheticRun(
        steps=long_plan(hours, laps),
        hz=1.0,
        pause_at_s=min(3600, hours * 1800),
        zones=HR_ZONES if zones else None,
    )
    for event in synthetic_events(run):
        recorder.handle(event)
    recorder.close()
    assert recorder.path is not None
    return recorder.path


def export_once(journal: Path, fmt: str, out: Path) -> dict[str, float]:
    """In this process: read, build and write one format; time and peak RSS."""
    from treadpace.record.activity import build_activity
    from treadpace.record.export import write_format
    from treadpace.record.journal import read_journal

    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    cpu = time.process_time()
    activity = build_activity(read_journal(journal))
    built = time.perf_counter() - start
    write_format(activity, fmt, out)
    took = time.perf_counter() - start
    cpu = time.process_time() - cpu
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "build_s": built,
        "total_s": took,
        "cpu_s": cpu,
        "peak_mb": peak_kb / 1024,
        "imports_mb": before_kb / 1024,
        "size_kb": out.stat().st_size / 1e3,
        "laps": len(activity.laps),
        "samples": len(activity.samples),
    }


def export_in_fresh_process(journal: Path, fmt: str, out: Path) -> dict[str, float]:
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(journal), fmt, str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(child.stdout.splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hours", type=float, default=HOURS)
    parser.add_argument("--laps", type=int, default=LAPS)
    parser.add_argument("--runs", type=int, default=RUNS, help="fresh processes per format")
    parser.add_argument("--zones", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--child", nargs=3, metavar=("JOURNAL", "FORMAT", "OUT"))
    args = parser.parse_args()
    if args.child:
        journal, fmt, out = args.child
        print(json.dumps(export_once(Path(journal), fmt, Path(out))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        journal = record_journal(Path(tmp), args.hours, args.laps, args.zones)
        size_mb = journal.stat().st_size / 1e6
        zones = "heart-rate zones" if args.zones else "no heart-rate zones"
        print(f"journal: {args.hours:g} h, {args.laps} steps, {zones}, {size_mb:.1f} MB")
        print(f"each figure: the median of {args.runs} fresh processes")
        for fmt in ("fit", "tcx", "csv"):
            out = Path(tmp) / f"run.{fmt}"
            runs = [export_in_fresh_process(journal, fmt, out) for _ in range(args.runs)]
            figures = {key: median(run[key] for run in runs) for key in runs[0]}
            print(
                f"export {fmt}: {figures['total_s']:.2f} s ({figures['cpu_s']:.2f} s CPU;"
                f" reading + activity {figures['build_s']:.2f} s),"
                f" peak RSS {figures['peak_mb']:.0f} MB"
                f" ({figures['imports_mb']:.0f} MB before reading),"
                f" {figures['size_kb']:.0f} kB,"
                f" {figures['laps']:.0f} laps, {figures['samples']:.0f} samples"
                + (" (target: <= 1 s, <= 55 MB peak)" if fmt == "fit" else "")
            )


if __name__ == "__main__":
    main()
