"""Every setpoint a run can ask for, on both kinds of machine grid (km/h and 0.1 mph).

The pure test puts each quantised setpoint through the simulator's server (its own
range check and rounding, then the belt settling and the Treadmill Data record as
encoded) and checks what the engine would judge: never above the cap, accepted,
and the belt settles within half a grid step of it (the "obeyed?" watchdog's rule).
The simulator runs then walk a plan through every setpoint on a 0.1 mph console and
a km/h one: before the grid was taken in the machine's own unit, the mph console
went to guided mode near 9 mph.
"""

from __future__ import annotations

import itertools

import pytest

from tests.sim_engine import plan, run_sim
from treadpace.base.units import KMH_PER_MPH
from treadpace.engine import EngineConfig, RunState
from treadpace.engine.setpoint import Grid, speed_grid
from treadpace.engine.watchdog import ObeyWatchdog
from treadpace.ftms import (
    CONTROL_POINT,
    SPEED_RANGE,
    RequestControl,
    SetTargetSpeed,
    StartOrResume,
    decode_speed_range,
    decode_treadmill_data,
    encode_control_request,
    encode_treadmill_data,
)
from treadpace.plans.steps import CompiledStep
from treadpace_sim.ftms_server import INDICATE, FtmsServer
from treadpace_sim.model import TreadmillModel, load_model

MPH_SETPOINTS = [round(0.5 + i / 10, 1) * KMH_PER_MPH for i in range(116)]  # 0.5-12 mph
KMH_SETPOINTS = [round(0.8 + i / 10, 1) for i in range(193)]  # 0.8-20 km/h
GRIDS = ["mph-console", "mph-grid", "generic", "wide-range"]


class Machine:
    """One simulated server with control and a running belt; `settle(q)` -> reported km/h."""

    def __init__(self, model: TreadmillModel) -> None:
        self.server = FtmsServer(model)
        self.server.connect(0)
        self.server.set_cccd(0, CONTROL_POINT, INDICATE)
        self._write(encode_control_request(RequestControl()))
        self._write(encode_control_request(StartOrResume()))

    def _write(self, data: bytes) -> object:
        result = self.server.write(0, CONTROL_POINT, data).record["result"]
        self.server.indication_confirmed(0)
        return result

    def settle(self, kmh: float) -> float | None:
        if self._write(encode_control_request(SetTargetSpeed(kmh))) != "success":
            return None
        self.server.tick(120.0)
        speed = decode_treadmill_data(encode_treadmill_data(self.server.record())).speed_kmh
        assert speed is not None
        return speed


def _grid(model: TreadmillModel, cap: float) -> tuple[Grid, float, float]:
    """The engine's grid from the range the machine reports, and that range's limits."""
    sr = decode_speed_range(FtmsServer(model).read(SPEED_RANGE))
    return speed_grid(sr.min_kmh, sr.max_kmh, sr.increment_kmh, cap), sr.min_kmh, sr.max_kmh


@pytest.mark.parametrize("cap", [20.0, 12.0, 9.55])
@pytest.mark.parametrize("setpoints", [MPH_SETPOINTS, KMH_SETPOINTS], ids=["mph", "kmh"])
@pytest.mark.parametrize("name", GRIDS)
def test_every_setpoint_is_on_the_machines_grid_within_the_cap_and_obeyed(
    name: str, setpoints: list[float], cap: float
) -> None:
    model = load_model(name)
    grid, bottom, machine_max = _grid(model, cap)
    machine = Machine(model)
    top = min(machine_max, cap)
    half = grid.increment / 2
    for wanted in setpoints:
        q = grid.quantise(wanted)
        assert bottom - 1e-9 <= q <= top + 1e-9  # rule 1, as the values travel
        assert abs(q * 100 - round(q * 100)) < 1e-6  # travels as 0.01 km/h, unrounded
        if bottom + half <= wanted <= top - half:
            assert abs(q - wanted) <= half + 0.005, (wanted, q)  # the nearest grid point
        reported = machine.settle(q)
        assert reported is not None, f"{q} refused"
        assert abs(reported - q) < half, (wanted, q, reported)
        watchdog = ObeyWatchdog(15.0, half)
        watchdog.expect(q, 0.0)
        assert not any(watchdog.ignored(float(t), reported) for t in range(60))


def test_an_mph_console_is_quantised_in_mph() -> None:
    g = speed_grid(0.80, 19.31, 0.16, 20.0)
    assert g.per_unit == KMH_PER_MPH
    assert g.quantise(9.0 * KMH_PER_MPH) == 14.48  # 9.0 mph = 14.484 km/h
    assert g.quantise(12.0 * KMH_PER_MPH) == 19.31
    assert g.quantise(0.1) == 0.80  # 0.5 mph
    assert g.threshold_above(14.48) == pytest.approx(9.05 * KMH_PER_MPH)
    assert g.threshold_below(14.48) == pytest.approx(8.95 * KMH_PER_MPH)
    assert speed_grid(0.8, 20.0, 0.1, 20.0).per_unit == 1.0


@pytest.mark.parametrize(
    ("model", "setpoints"),
    [
        ("mph-console", MPH_SETPOINTS),
        ("mph-console", KMH_SETPOINTS[:185]),
        ("generic", KMH_SETPOINTS),
        ("generic", MPH_SETPOINTS),
    ],
    ids=["mph-console-mph", "mph-console-kmh", "generic-kmh", "generic-mph"],
)
async def test_a_walk_through_every_setpoint_stays_in_control(
    model: str, setpoints: list[float]
) -> None:
    steps = tuple(CompiledStep(f"{v:.2f}", "time", 20, v) for v in setpoints)
    cfg = EngineConfig(countdown_s=0, max_speed_kmh=20.0)
    o = await run_sim(plan(*steps), model=model, config=cfg)
    assert not o.engine.guided
    assert o.result.state == RunState.FINISHED and o.result.reason == "plan complete"
    assert all(x.r["result"] == "success" for x in o.commands("set_target_speed"))
    sent = [(x.t, float(x.r["speed_kmh"])) for x in o.speeds()]  # type: ignore[arg-type]
    grid = o.engine.speed_grid
    wanted = [k for k, _ in itertools.groupby(grid.quantise(v) for v in setpoints)]
    assert [q for _, q in sent] == wanted  # every step's target went out, once
    half = grid.increment / 2
    ends = [t for t, _ in sent[1:]] + [sent[-1][0] + 20]
    for (t, q), t_next in zip(sent, ends, strict=True):
        settled = [float(b.r["speed_kmh"]) for b in o.belts() if t + 5 < b.t < t_next]  # type: ignore[arg-type]
        assert all(abs(v - q) < half for v in settled), (q, settled)
