"""True pace on every shipped treadmill: how far from the plan's pace the runner really runs.

Each shipped model (configs/treadmills/) gets the issue's hidden belt error (7 %
slow at 8 km/h, 3 % slow at 14 km/h, linear between) and a footpod on the runner,
then plays the shipped `thirds` and `each-mile-faster` plans on the virtual clock
three ways: uncorrected (the belt's word), with the calibration `treadpace
calibrate` would measure (played on the same belt and pod), and with that
calibration and the footpod trim. For each, the worst step's mean true-speed error
(steps of 60 s or more), against the target of 1 %, and the wall time of the three
runs.

Models that cannot be commanded (no control point, control refused, speed targets
ignored) are skipped with the reason. Steps the machine cannot run at the true pace
(the setpoint it would need is beyond its speed range, as on the 4 mph walking pads)
are counted apart and left out of the worst figure: no correction can reach them.

The runs are `tests/true_pace_runs.py`, shared with the tests, so tests/ goes on
the import path here.

    python benchmarks/true_pace.py [MODEL ...]
"""

from __future__ import annotations

import asyncio
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.true_pace_runs import SLOW, TrueRun, calibrate_on, plan_for, true_run, with_truth  # noqa: E402

from treadpace.engine.true_pace import TruePaceConfig  # noqa: E402
from treadpace_sim.model import load_model  # noqa: E402
from treadpace_sim.model_spec import TreadmillModel  # noqa: E402

PLANS = ("thirds", "each-mile-faster")
TARGET_PERCENT = 1.0
MIN_STEP_S = 60.0
ENGINE_MAX_KMH = 20.0
"""The runner's cap in these runs (`true_run`'s EngineConfig)."""


def why_not_commanded(model: TreadmillModel) -> str | None:
    if not model.has_control_point:
        return "read-only: no control point"
    if model.request_control == "refuse":
        return "control refused by the firmware"
    if model.speed_target in ("ignore", "absent"):
        return f"speed targets {model.speed_target}d by the machine"
    return None


def routine(model: TreadmillModel) -> tuple[float, ...]:
    """`calibrate`'s four speeds from easy to threshold, inside the machine's range."""
    top = min(model.belt.speed_max_kmh, 14.0)
    low = max(model.belt.speed_min_kmh, min(8.0, top * 0.5))
    return tuple(low + (top - low) * k / 3 for k in range(4))


def capped(model: TreadmillModel, target_kmh: float) -> bool:
    """The belt would have to run beyond its range (or the runner's cap) to reach the target."""
    needed = target_kmh / SLOW.factor(target_kmh)
    top = min(model.belt.speed_max_kmh, ENGINE_MAX_KMH)
    return needed > top + 1e-9 or needed < model.belt.speed_min_kmh - 1e-9


def worst(run: TrueRun, model: TreadmillModel) -> tuple[float, int]:
    """The worst step's |mean true-speed error| in %, and how many steps were capped."""
    judged = [s for s in run.steps if s.seconds >= MIN_STEP_S]
    free = [s for s in judged if not capped(model, s.target_kmh)]
    return max((abs(s.percent) for s in free), default=float("nan")), len(judged) - len(free)


async def three_ways(name: str, plan: str) -> str:
    model = with_truth(name)
    compiled = plan_for(plan)
    started = time.perf_counter()
    cal = calibrate_on(model, routine(model))
    plain = await true_run(model, compiled, TruePaceConfig(trim=False))
    calibrated = await true_run(model, compiled, TruePaceConfig(cal, trim=False))
    trimmed = await true_run(model, compiled, TruePaceConfig(cal), footpod=True)
    wall = time.perf_counter() - started
    figures = [worst(r, model) for r in (plain, calibrated, trimmed)]
    caps = figures[0][1]
    note = f"  ({caps} capped step{'s' * (caps != 1)} left out)" if caps else ""
    if all(math.isnan(w) for w, _ in figures):
        top = model.belt.speed_max_kmh
        cells = f"{'every step capped (the belt tops out at ' + f'{top:.1f} km/h)':<38}"
        return f"{name:<20} {plan:<17} {cells}  {'-':<6} {wall:6.2f} s{note}"
    cells = "  ".join(f"{w:6.2f} %" for w, _ in figures)
    ok = all(w <= TARGET_PERCENT for w, _ in figures[1:])
    verdict = "ok" if ok else "MISSED"
    return f"{name:<20} {plan:<17} {cells}  {verdict:<6} {wall:6.2f} s{note}"


async def main(names: list[str]) -> None:
    print(
        f"hidden error: 7 % slow at 8 km/h, 3 % slow at 14 km/h; worst step "
        f"(>= {MIN_STEP_S:g} s) mean true-speed error; target: within {TARGET_PERCENT:g} % "
        "with the calibration, and with the trim"
    )
    print(f"{'model':<20} {'plan':<17} {'belt only':>8}  {'calibr.':>8}  {'+ trim':>8}  "
          f"{'':<6} {'wall':>8}")  # fmt: skip
    for name in names:
        reason = why_not_commanded(load_model(name))
        if reason is not None:
            print(f"{name:<20} skipped: {reason}")
            continue
        for plan in PLANS:
            print(await three_ways(name, plan), flush=True)


if __name__ == "__main__":
    shipped = sorted(p.stem for p in (ROOT / "configs" / "treadmills").glob("*.yaml"))
    asyncio.run(main(sys.argv[1:] or shipped))
