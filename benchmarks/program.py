"""`treadpace program new` and `show` over a 1,000-run history: how long each takes.

Writes 1,000 synthetic real (not simulated) journals into a temporary recording
directory, a run a day of 20 to 60 minutes with a progression run every twelfth day,
then times, in this process, what each command does: `new` lists the history (through
`record.runs.list_runs`), plans 16 weeks of 6 runs, saves the YAML, reads it back and
compiles every plan; `show` reads the file, compiles every plan and renders the weeks,
the table and the chart as the command prints them. Targets: new < 0.5 s, show < 0.3 s
(best of five).

    python benchmarks/program.py
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from treadpace.commands.program import render
from treadpace.plans import load_profile
from treadpace.plans.steps import CompiledStep
from treadpace.program import service, store
from treadpace.program.types import Goal, Settings
from treadpace.record.recorder import Recorder
from treadpace.record.synthetic import SyntheticRun, synthetic_events

ROOT = Path(__file__).resolve().parents[1]
RUNS = 1000


def write_history(folder: Path, today: dt.date) -> None:
    recorder = Recorder(folder)
    midnight = dt.datetime.combine(today, dt.time(7, 0)).timestamp()
    for i in range(RUNS):
        minutes = 20 + (i * 7) % 41
        hard = i % 12 == 0
        steps: tuple[CompiledStep, ...] = (CompiledStep("easy", "time", minutes * 60.0, 9.2),)
        if hard:
            steps = (*steps, CompiledStep("fast", "time", 600.0, 11.3))
        run = SyntheticRun(steps=steps, plan_name="thirds" if hard else "easy", hz=1 / 60,
                           simulated=False, device="ftms:AA:BB",
                           start_wall=midnight - (RUNS - i) * 86_400.0)  # fmt: skip
        for event in synthetic_events(run):
            recorder.handle(event)
    recorder.close()


def best(what: Callable[[], object], times: int = 5) -> float:
    out = []
    for _ in range(times):
        began = time.perf_counter()
        what()
        out.append(time.perf_counter() - began)
    return min(out)


def main() -> None:
    profile = load_profile(ROOT / "configs" / "profiles" / "metric.yaml")
    today = dt.date.today()
    with tempfile.TemporaryDirectory() as tmp:
        runs = Path(tmp) / "runs"
        os.environ["TREADPACE_HOME"] = tmp
        write_history(runs, today)
        path = store.program_path()
        settings = Settings(weeks=16, runs_per_week=6, goal=Goal.HALF)

        def new() -> None:
            program = service.new_program(settings, profile, runs, today)
            store.save(program, path)
            _, plans = store.load(path)
            service.compile_all(plans, profile, path)

        def show() -> None:
            program, plans = store.load(path)
            render(program, service.compile_all(plans, profile, path), profile, io.StringIO())

        new_s = best(new)
        show_s = best(show)
    print(f"history: {RUNS} runs; program: 16 weeks x 6 runs")
    print(f"program new:  {new_s * 1000:6.1f} ms (target < 500 ms)")
    print(f"program show: {show_s * 1000:6.1f} ms (target < 300 ms)")


if __name__ == "__main__":
    main()
