"""The pure engine core alone: a 60-minute plan folded in with plain calls (no asyncio).

The same plan as `run_virtual.py`, played by a belt that follows every command at
once and reports once a second: each write is answered at once, each wake-up is
honoured, and the time between is telemetry. What it prints is the core's own cost
per input, the part of a run that is decisions rather than bytes and tasks.

Then the cost per input against the plan's length (target: independent of it): the
first hour of plans of 12, 1,200 and 10,000 five-minute steps, the same inputs in
each, so only the steps the core does not reach differ. Rounds of the three are
interleaved, so a busy machine weighs on each alike; the ratio is to the 12 steps.

    python benchmarks/engine_core.py [N]
"""

from __future__ import annotations

import statistics
import sys
import time

from run_virtual import sixty_minutes

from treadpace.engine.config import EngineConfig
from treadpace.engine.core import EngineCore
from treadpace.engine.events import Command, RunFinished
from treadpace.engine.messages import (
    Answer,
    Connected,
    FromTreadmill,
    Input,
    RunnerCommand,
    StopAnswered,
    StopBelt,
    TimePassed,
    WakeAt,
    Write,
    WriteOp,
    Written,
)
from treadpace.ftms import SpeedRange
from treadpace.plans.steps import CompiledPlan, CompiledStep
from treadpace.treadmill.port import Telemetry


def one_run(plan: CompiledPlan, until_s: float = float("inf")) -> tuple[float, int, float]:
    """(wall s, inputs, plan s) of a run to its end, or to `until_s` on the run's clock."""
    core = EngineCore(plan, EngineConfig(countdown_s=0))
    now, speed, distance, wake = 0.0, 0.0, 0.0, float("inf")
    inputs = 0
    finished: RunFinished | None = None
    queue: list[Input] = [
        Connected("bench", SpeedRange(1.0, 20.0, 0.1), None, True),
        RunnerCommand(Command.START),
    ]
    t0 = time.perf_counter()
    while finished is None and now < until_s:
        if not queue:
            nxt = min(wake, now + 1.0)
            distance += speed / 3.6 * (nxt - now)
            now = nxt
            queue.append(
                TimePassed()
                if nxt == wake
                else FromTreadmill(Telemetry(now, speed, None, distance))
            )
        inp = queue.pop(0)
        inputs += 1
        for action in core.handle(inp, now, wall=now, has_control=True):
            if isinstance(action, Write):
                if action.op in (WriteOp.SPEED, WriteOp.UNIT_FIX) and action.value is not None:
                    speed = action.value
                queue.append(Written(action.op, Answer.TAKEN))
            elif isinstance(action, StopBelt):
                speed = 0.0
                queue.append(StopAnswered(confirmed=True))
            elif isinstance(action, WakeAt):
                wake = action.t
            elif isinstance(action, RunFinished):
                finished = action
    return time.perf_counter() - t0, inputs, finished.elapsed_s if finished else now


def long_plan(steps: int) -> CompiledPlan:
    """`steps` five-minute steps, alternating 10 and 11 km/h."""
    return CompiledPlan(
        f"{steps} steps",
        "custom",
        tuple(CompiledStep(f"s{i}", "time", 300.0, 10.0 + i % 2) for i in range(steps)),
    )


def per_input_by_length(n: int) -> None:
    sizes = (12, 1_200, 10_000)
    plans = {size: long_plan(size) for size in sizes}
    best = dict.fromkeys(sizes, float("inf"))
    one_run(plans[12], 3600.0)  # warm-up, outside what is measured
    for _ in range(n):
        for size in sizes:
            wall, inputs, _ = one_run(plans[size], 3600.0)
            best[size] = min(best[size], wall / inputs)
    floor = best[12]
    figures = ", ".join(
        f"{size:,} steps {best[size] * 1e6:.1f} us ({best[size] / floor:.2f}x)" for size in sizes
    )
    print(f"cost of an input, first hour of a plan of: {figures} (target: about 1.0x)")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    p = sixty_minutes()
    one_run(p)  # warm-up, outside what is measured
    walls: list[float] = []
    inputs, plan_s = 0, 0.0
    for _ in range(n):
        wall, inputs, plan_s = one_run(p)
        walls.append(wall)
    best = min(walls)
    print(
        f"engine core, 60-minute plan: median {statistics.median(walls) * 1000:.1f} ms,"
        f" best {best * 1000:.1f} ms over {n} runs;"
        f" {inputs} inputs, {best / inputs * 1e6:.1f} us an input (plan time {plan_s:.0f} s)"
    )
    per_input_by_length(n)


if __name__ == "__main__":
    main()
