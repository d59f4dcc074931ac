"""Calibrating a belt against a footpod: settled windows and the fitted curve."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from treadpace.treadmill.true_speed import Calibration, Sample, Window, fit, settled_windows
from treadpace_sim.belt import Belt
from treadpace_sim.model import load_model
from treadpace_sim.runner_footpod import Footpod


def _routine(model: str, speeds: list[float], hold_s: int, incline: float = 0.0) -> list[Sample]:
    """Play the belt through `speeds` (each held `hold_s` s), a footpod on the runner."""
    m = load_model(model)
    assert m.footpod is not None
    belt, pod = Belt(m.belt), Footpod(m.footpod)
    belt.start()
    belt.set_target_incline(incline)
    samples: list[Sample] = []
    t = 0.0
    for kmh in speeds:
        belt.set_target_speed(kmh)
        for _ in range(hold_s):
            belt.advance(1.0)
            t += 1.0
            pod.follow(t, belt.true_distance_m, belt.true_speed_kmh, belt.cadence_spm())
            r = pod.measurement()
            samples.append(
                Sample(t, round(belt.speed_kmh, 2), None if r is None else r.speed_mps * 3.6,
                       belt.incline_percent)
            )
    return samples


def test_the_fitted_curve_is_the_belts_truth_at_every_speed_of_the_routine() -> None:
    speeds = [8.0, 10.0, 12.0, 14.0]
    samples = _routine("slow-truth", speeds, 100)
    cal = fit(settled_windows(samples, 0.1))
    truth = load_model("slow-truth").belt.truth
    for v in speeds:
        assert cal.ratio(v) == pytest.approx(truth.factor(v), abs=0.005)
    assert cal.max_residual_percent < 0.5
    assert len(cal.residuals_percent) == 8  # two 30 s windows a speed, after 10 s to settle


def test_no_window_straddles_a_speed_change_or_a_silent_footpod() -> None:
    samples = [Sample(float(t), 10.0, 9.5, 0.0) for t in range(60)]
    samples += [Sample(float(t), 12.0, 11.4, 0.0) for t in range(60, 120)]
    gaps = [s if not 75 <= s.t < 80 else Sample(s.t, s.belt_kmh, None) for s in samples]
    whole = settled_windows(samples, 0.1)
    assert [round(w.belt_kmh, 1) for w in whole] == [10.0, 12.0]
    gapped = settled_windows(gaps, 0.1)
    assert [round(w.belt_kmh, 1) for w in gapped] == [10.0, 12.0]
    assert all(w.seconds >= 30 for w in whole + gapped)


def test_a_belt_still_ramping_is_not_measured() -> None:
    ramp = [Sample(float(t), 8.0 + 0.5 * t, 7.5 + 0.5 * t) for t in range(20)]
    assert settled_windows(ramp, 0.1) == []


def test_an_incline_term_is_fitted_when_grades_were_measured() -> None:
    flat = [Window(10.0, 9.5, 0.0, 30.0), Window(12.0, 11.4, 0.0, 30.0)]
    graded = [Window(10.0, 9.1, 4.0, 30.0)]
    cal = fit(flat + graded)
    assert cal.per_incline == pytest.approx(-0.01)
    assert cal.ratio(10.0, 4.0) == pytest.approx(0.91)
    assert cal.max_residual_percent == pytest.approx(0.0, abs=1e-9)


def test_nothing_to_fit_is_an_error() -> None:
    with pytest.raises(ValueError, match="no settled window"):
        fit([])


@given(
    st.lists(
        st.tuples(st.floats(4.0, 20.0), st.floats(0.85, 1.15)),
        min_size=1,
        max_size=5,
        unique_by=lambda p: round(p[0], 1),
    ),
    st.floats(3.0, 20.0),
)
def test_reported_for_undoes_true_kmh(points: list[tuple[float, float]], true_kmh: float) -> None:
    pts = tuple(sorted(points))
    # a belt that goes faster when asked to (its true speed rises with the reported one)
    assume(all(v1 * r1 > v0 * r0 for (v0, r0), (v1, r1) in itertools.pairwise(pts)))
    cal = Calibration(pts)
    assert cal.true_kmh(cal.reported_for(true_kmh)) == pytest.approx(true_kmh, rel=1e-6)
