"""Recording cost figures: journal CPU per hour of running, journal size, export times.

Run: `.venv/bin/python benchmarks/record_journal.py`. Prints figures; asserts nothing.
The live-run budget is < 1 % of one core, i.e. < 36 s of CPU per hour of running
for everything; the recorder's share should be a tiny fraction of that.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from treadpace.engine.events import Tick
from treadpace.plans.steps import CompiledStep
from treadpace.record.activity import build_activity
from treadpace.record.export import FORMATS, write_format
from treadpace.record.journal import read_journal
from treadpace.record.recorder import Recorder
from treadpace.record.runs import summarize
from treadpace.record.synthetic import SyntheticRun, synthetic_events

HOUR_PLAN = (
    CompiledStep("warm-up", "time", 600.0, 9.0),
    CompiledStep("third 1", "time", 1000.0, 10.5),
    CompiledStep("third 2", "time", 1000.0, 11.0),
    CompiledStep("third 3", "time", 1000.0, 11.8, end_speed_kmh=12.5),
)


def main() -> None:
    events = synthetic_events(SyntheticRun(steps=HOUR_PLAN, hz=4.0, pause_at_s=1800))
    ticks = sum(isinstance(e, Tick) for e in events)
    with tempfile.TemporaryDirectory() as tmp:
        recorder = Recorder(Path(tmp))
        start = time.process_time()
        for event in events:
            recorder.handle(event)
        cpu = time.process_time() - start
        assert recorder.path is not None
        size = recorder.path.stat().st_size
        print(f"events: {len(events)} ({ticks} telemetry at 4 Hz, 61 min incl. a 20 s pause)")
        lines, syncs = recorder.lines_written, recorder.syncs
        print(f"journal: {lines} lines, {size / 1e6:.2f} MB, {syncs} fsyncs")
        share = cpu / 3600 * 100
        print(f"recorder CPU: {cpu * 1000:.0f} ms per hour of running = {share:.4f} % of a core")
        print(f"recorder CPU per event: {cpu / len(events) * 1e6:.1f} us")

        start = time.perf_counter()
        activity = build_activity(read_journal(recorder.path))
        print(f"read + analyse journal: {(time.perf_counter() - start) * 1000:.0f} ms")
        start = time.perf_counter()
        summary = summarize(recorder.path)
        assert summary is not None
        print(f"history summary (head + tail): {(time.perf_counter() - start) * 1000:.2f} ms")
        for fmt in FORMATS:
            start = time.perf_counter()
            out = write_format(activity, fmt, Path(tmp) / f"run.{fmt}")
            took = time.perf_counter() - start
            print(f"export {fmt}: {took * 1000:.0f} ms, {out.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
