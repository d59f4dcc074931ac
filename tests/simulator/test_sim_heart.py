"""The simulated runner's heart: fitness, lag, drift, noise, dropouts and strap faults.

The heart-rate controllers are tested against this model, so it must show what
they have to cope with: an ambitious pace drives the heart over a cap that an
easy pace stays under, the heart lags the belt, and drifts up over an hour.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from treadpace.base.clock import VirtualClock
from treadpace.base.user_error import UserError
from treadpace_sim.belt import Belt, BeltSpec
from treadpace_sim.heart import Heart, HeartSpec, StrapFault
from treadpace_sim.model import load_model
from treadpace_sim.treadmill import SimulatedTreadmill

RUNNER = HeartSpec(rest_bpm=55, max_bpm=190, threshold_kmh=12.0, drift_bpm_h=8.0)


def _run(spec: HeartSpec, kmh: float, seconds: int) -> list[float]:
    heart = Heart(spec)
    out = []
    for _ in range(seconds):
        heart.advance(1.0, kmh)
        out.append(heart.bpm)
    return out


def test_an_ambitious_pace_crosses_a_cap_an_easy_one_does_not() -> None:
    cap = 165  # top of zone 3 for this runner, roughly
    easy = _run(RUNNER, 9.0, 3600)
    hard = _run(RUNNER, 12.5, 3600)
    assert max(easy) < cap
    assert max(hard[600:]) > cap
    # fitness: the same pace costs a fitter runner (higher threshold) fewer beats
    fitter = _run(HeartSpec(rest_bpm=55, max_bpm=190, threshold_kmh=14.0), 12.5, 900)
    assert fitter[-1] < hard[899] - 10


def test_the_heart_lags_the_belt() -> None:
    heart = Heart(RUNNER)
    heart.advance(30.0, 10.0)  # one rise time constant
    gap = heart.steady_bpm(10.0) - RUNNER.rest_bpm
    assert heart.bpm - RUNNER.rest_bpm == pytest.approx(gap * (1 - 2.718281828**-1), rel=0.02)
    heart.advance(300.0, 10.0)
    assert heart.bpm == pytest.approx(heart.steady_bpm(10.0), abs=1.0)


def test_heart_rate_drifts_up_over_a_long_run() -> None:
    trace = _run(RUNNER, 11.0, 3600)
    drift = trace[-1] - trace[600]
    x = 11.0 / 12.0
    assert drift == pytest.approx(8.0 * x * x * 50 / 60, abs=1.0)  # 50 minutes of drift
    flat = _run(HeartSpec(rest_bpm=55, max_bpm=190, threshold_kmh=12.0), 11.0, 3600)
    assert flat[-1] - flat[600] < 0.1


def test_noise_is_repeatable_and_dropouts_come_on_schedule() -> None:
    spec = HeartSpec(noise_bpm=2.0, dropout_every_s=300, dropout_s=20, seed=7)
    a, b = Heart(spec), Heart(spec)
    ra: list[int | None] = []
    rb: list[int | None] = []
    for _ in range(600):
        a.advance(1.0, 10.0)
        b.advance(1.0, 10.0)
        ra.append(a.reading())
        rb.append(b.reading())
    assert ra == rb
    gone = [i for i, r in enumerate(ra) if r is None]
    assert len(gone) == 40 and gone[0] == 279 and gone[-1] == 598
    values = [r for r in ra[200:270] if r is not None]
    assert len(set(values)) > 3  # it jitters


def test_strap_faults_take_the_reading_not_the_heart() -> None:
    heart = Heart(HeartSpec(noise_bpm=1.0))
    heart.advance(120.0, 10.0)
    heart.strap_fault(StrapFault.OFF, 10.0)
    assert heart.reading() is None
    heart.advance(10.0, 10.0)
    assert heart.reading() is not None
    heart.strap_fault(StrapFault.NONSENSE, 5.0, 250)
    assert heart.reading() == 250
    heart.advance(5.0, 10.0)
    heart.strap_fault(StrapFault.STUCK, 40.0)
    stuck = heart.reading()
    readings = set()
    for _ in range(39):
        heart.advance(1.0, 14.0)
        readings.add(heart.reading())
    assert readings == {stuck} and heart.bpm > (stuck or 0) + 5
    heart.advance(2.0, 14.0)
    assert heart.reading() != stuck


def test_the_older_linear_model_is_the_default() -> None:
    belt = Belt(BeltSpec(hr_drift_bpm_h=0.0))
    assert belt.heart.spec.threshold_kmh == pytest.approx(0.9 * 18.0)
    assert belt.heart.steady_bpm(18.0) == pytest.approx(185.0)
    assert belt.heart.steady_bpm(9.0) == pytest.approx(60 + 125 / 2)


def _model(tmp_path: Path, runner: str) -> Path:
    path = tmp_path / "m.yaml"
    path.write_text(f"name: m\nrunner:\n{runner}")
    return path


def test_model_yaml_carries_the_runner_fields(tmp_path: Path) -> None:
    m = load_model(
        _model(
            tmp_path,
            "  hr_threshold: 12.5\n  hr_drift: 6\n  hr_noise: 2\n"
            "  hr_dropout_every: 600\n  hr_dropout: 15\n",
        )
    )
    h = m.belt.heart_spec()
    assert (h.threshold_kmh, h.drift_bpm_h, h.noise_bpm) == (12.5, 6.0, 2.0)
    assert (h.dropout_every_s, h.dropout_s) == (600.0, 15.0)
    with pytest.raises(UserError, match=r"m.yaml:\d+: runner.hr_dropout: expected less than"):
        load_model(_model(tmp_path, "  hr_dropout_every: 10\n  hr_dropout: 15\n"))
    with pytest.raises(UserError, match=r"runner.hr_noise: expected"):
        load_model(_model(tmp_path, "  hr_noise: -1\n"))


async def test_a_strap_fault_reaches_the_wire() -> None:
    from treadpace_sim.faults import Fault
    from treadpace_sim.testing import Central

    clock = VirtualClock()
    sim = SimulatedTreadmill("hr-service", clock)
    c = Central(sim)

    async def run() -> None:
        await sim.start()
        c.connect()
        sim.schedule(Fault(10.0, "strap_off", duration=5.0))
        await clock.sleep(20)
        await sim.close()

    await clock.drive(run())
    from treadpace.ftms import decode_heart_rate

    contact = [decode_heart_rate(r.data).sensor_contact for r in c.on(0x2A37)]
    assert contact.count(False) in (4, 5, 6) and contact[0] is True and contact[-1] is True
