"""Heart-rate control on the simulator: the charts in docs/heart-rate.md, and their figures.

Runs two plans through the engine, FTMS and the software treadmill on the
virtual clock, for a runner whose threshold is 12 km/h (rest 55, max 190,
8 bpm/h drift, 1 bpm strap noise), records them, and draws each with the
`chart` extra (plan, commanded and belt speed, heart rate with its cap or
range). Printed per run: time over the cap (or the range's top plus its dead
band) after settling (the first five minutes of each step), the most speed
changes in any 10 minutes after settling, and how long heart rate held each step
back.

    python benchmarks/hr_chart.py [--out docs]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from treadpace.base.clock import VirtualClock
from treadpace.engine import Command, Engine, EngineConfig, EventHub, RunFinished
from treadpace.plans import compile_plan, load_plan, load_profile
from treadpace.plans.steps import CompiledPlan
from treadpace.record import Recorder
from treadpace.record.activity import build_activity
from treadpace.record.journal import read_journal
from treadpace.record.run_chart import write_chart
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.sim import SimLink
from treadpace_sim.treadmill import SimulatedTreadmill

RUNNER = "name: hr-runner\nrunner: {hr_rest: 55, hr_max: 190, hr_threshold: 12.0}\n"
PROFILE = """name: Runner C
race: {distance: 5k, time: "22:30"}
heart_rate: {max_bpm: 190, rest_bpm: 55, zones: karvonen}
"""
PLANS = {
    "heart-rate-thirds": """name: Thirds, safely
kind: thirds
duration: "45:00"
hr_cap: z4
safe_progression: true
""",
    "heart-rate-target": """name: Zone 3 by heart rate
kind: custom
segments:
  - {name: warm-up, duration: "10:00", pace: easy, hr_cap: z2}
  - name: zone 3
    duration: "40:00"
    target: {hr: z3, min: "7:00/km", max: "4:45/km"}
  - {name: cool-down, duration: "5:00", pace: easy}
""",
}


Trace = tuple[RunFinished, list[tuple[float, float]], list[float], Path]
"""The result, (t, true heart rate), the times of speed changes, the journal."""


async def simulate(
    plan: CompiledPlan, zones: tuple[int, ...] | None, model: Path, runs: Path
) -> Trace:
    clock = VirtualClock()
    hr: list[tuple[float, float]] = []
    changes: list[float] = []

    def observe(t: float, r: dict[str, object]) -> None:
        if r.get("event") == "belt" and not r.get("projected"):
            hr.append((t, float(r["heart_rate_bpm"])))  # type: ignore[arg-type]
        elif r.get("op") == "set_target_speed" and r.get("result") == "success":
            changes.append(t)

    sim = SimulatedTreadmill(str(model), clock, observers=[observe])
    hub = EventHub()
    recorder = Recorder(runs)
    recording = asyncio.ensure_future(recorder.consume(hub.subscribe()))
    treadmill = FtmsTreadmill(SimLink(sim), clock)
    config = EngineConfig(countdown_s=0, hr_zones=zones)
    engine = Engine(treadmill, plan, config, clock, hub)

    async def go() -> RunFinished:
        await sim.start()
        task = asyncio.create_task(engine.run())
        await engine.command(Command.START)
        result = await task
        await treadmill.disconnect()
        await sim.close()
        return result

    result = await clock.drive(go())
    journal = await recording
    return result, hr, changes, journal


SETTLE_S = 300.0
"""The first five minutes of each step are its settling: the heart is still catching up."""


def figures(plan: CompiledPlan, result: RunFinished, hr: list[tuple[float, float]],
            changes: list[float]) -> str:  # fmt: skip
    t0 = changes[0] if changes else 0.0
    starts, at = [], t0
    for step in result.steps:
        starts.append(at)
        at += step.elapsed_s
    over = 0
    for start, step, spec in zip(starts, result.steps, plan.steps, strict=False):
        rule = spec.hr
        if rule is None:
            continue
        top = rule.high_bpm + (rule.dead_band_bpm if rule.mode == "target" else 0)
        end = start + step.elapsed_s
        over += sum(1 for t, b in hr if start + SETTLE_S <= t < end and b > top)
    settled = [t for t in changes if all(not s <= t < s + SETTLE_S for s in starts)]
    most = max((sum(1 for u in settled if t <= u < t + 600) for t in settled), default=0)
    held = ", ".join(f"{s.name} {s.hr_held_s:.0f} s" for s in result.steps)
    return (
        f"over the cap (or range + dead band) after settling: {over} s; most speed changes "
        f"in 10 min after settling: {most}; held back: {held}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        (base / "runner.yaml").write_text(RUNNER)
        (base / "me.yaml").write_text(PROFILE)
        profile = load_profile(base / "me.yaml")
        for name, text in PLANS.items():
            path = base / f"{name}.yaml"
            path.write_text(text)
            plan = compile_plan(load_plan(path), profile, str(path))
            result, hr, changes, journal = asyncio.run(
                simulate(plan, profile.heart_rate.bounds(), base / "runner.yaml", base / name)
            )
            activity = build_activity(read_journal(journal))
            out = write_chart(activity, args.out / f"{name}.png", imperial=False)
            print(f"{plan.name}: {figures(plan, result, hr, changes)}")
            print(f"  chart: {out}")


if __name__ == "__main__":
    main()
