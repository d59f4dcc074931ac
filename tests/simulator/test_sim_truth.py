"""The simulated belt's hidden error and the footpod that sees through it."""

from __future__ import annotations

from pathlib import Path

import pytest

from treadpace.base.user_error import UserError
from treadpace.ftms.rsc import decode_rsc_measurement, encode_rsc_measurement
from treadpace_sim.belt import Belt, BeltSpec
from treadpace_sim.model import load_model
from treadpace_sim.runner_footpod import Footpod, FootpodFault, FootpodSpec
from treadpace_sim.truth import EXACT, TrueSpeed

SLOW = TrueSpeed(error_points=((8.0, -7.0), (14.0, -3.0)))


def test_the_error_is_linear_between_its_points_and_flat_beyond() -> None:
    assert SLOW.error_percent(8.0) == pytest.approx(-7.0)
    assert SLOW.error_percent(11.0) == pytest.approx(-5.0)
    assert SLOW.error_percent(14.0) == pytest.approx(-3.0)
    assert SLOW.error_percent(5.0) == pytest.approx(-7.0)
    assert SLOW.error_percent(18.0) == pytest.approx(-3.0)
    assert SLOW.true_kmh(10.0) == pytest.approx(10.0 * (1 - 0.0567), abs=1e-3)


def test_incline_and_foot_strike_add_to_the_error() -> None:
    t = TrueSpeed(error_points=((10.0, -2.0),), per_incline_percent=-0.5, footstrike_percent=-1.0)
    assert t.error_percent(10.0, 4.0) == pytest.approx(-2.0 - 2.0 - 1.0)
    assert t.error_percent(0.0) == pytest.approx(-2.0)  # nobody runs on a standing belt
    assert EXACT.exact and not t.exact


def test_error_points_must_rise() -> None:
    with pytest.raises(ValueError, match="rising"):
        TrueSpeed(error_points=((10.0, 1.0), (8.0, 2.0)))


def _run(belt: Belt, kmh: float, seconds: float) -> None:
    belt.set_target_speed(kmh)
    for _ in range(int(seconds)):
        belt.advance(1.0)


def test_the_belt_reports_one_distance_and_the_runner_covers_another() -> None:
    belt = Belt(BeltSpec(truth=SLOW, acceleration_kmh_s=100.0))
    belt.start()
    _run(belt, 8.0, 1)
    reported, covered = belt.distance_m, belt.true_distance_m
    _run(belt, 8.0, 600)
    assert belt.distance_m - reported == pytest.approx(8.0 / 3.6 * 600, rel=1e-9)
    assert (belt.true_distance_m - covered) / (belt.distance_m - reported) == pytest.approx(0.93)
    assert belt.true_speed_kmh == pytest.approx(8.0 * 0.93)


def test_an_exact_belt_covers_what_it_reports() -> None:
    belt = Belt(BeltSpec())
    belt.start()
    _run(belt, 12.0, 300)
    assert belt.true_distance_m == pytest.approx(belt.distance_m)


def test_a_reboot_zeroes_the_counters_but_not_the_ground_covered() -> None:
    belt = Belt(BeltSpec(truth=SLOW))
    belt.start()
    _run(belt, 10.0, 120)
    covered = belt.true_distance_m
    belt.power_cycle()
    assert belt.distance_m == 0.0 and belt.true_distance_m == covered > 0


def _pod(factor: float = 1.0, dropout_every_s: float = 0.0, dropout_s: float = 0.0) -> Footpod:
    spec = FootpodSpec(factor, 0.0, dropout_every_s=dropout_every_s, dropout_s=dropout_s)
    return Footpod(spec)


def test_the_footpod_reports_the_true_speed_times_its_own_factor() -> None:
    pod = _pod(factor=1.03)
    pod.follow(0.0, 0.0, 10.0, 170.0)
    pod.follow(60.0, 160.0, 10.0, 170.0)
    m = pod.measurement()
    assert m is not None
    assert m.speed_mps * 3.6 == pytest.approx(10.3)
    assert m.total_distance_m == pytest.approx(160.0 * 1.03)
    assert m.cadence_spm == 170 and m.running
    assert m.stride_length_m == pytest.approx(10.3 / 3.6 / (170 / 60))
    again = decode_rsc_measurement(encode_rsc_measurement(m))
    assert again.speed_mps == pytest.approx(m.speed_mps, abs=1 / 256)


def test_the_footpod_drops_out_and_fails_as_configured() -> None:
    pod = _pod(dropout_every_s=60.0, dropout_s=10.0)
    pod.follow(55.0, 100.0, 10.0, 170.0)
    assert pod.measurement() is None
    pod.follow(61.0, 110.0, 10.0, 170.0)
    assert pod.measurement() is not None
    pod.fault = FootpodFault.NONSENSE
    m = pod.measurement()
    assert m is not None and m.speed_mps * 3.6 > 500
    pod.fault = FootpodFault.OFF
    assert pod.measurement() is None


def test_the_footpod_noise_is_repeatable() -> None:
    def speeds() -> list[float]:
        pod = Footpod(FootpodSpec(noise_kmh=0.2))
        pod.follow(1.0, 3.0, 10.0, 170.0)
        return [m.speed_mps for _ in range(20) if (m := pod.measurement()) is not None]

    first = speeds()
    assert first == speeds() and len(set(first)) > 1


def _model(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "m.yaml"
    path.write_text("name: m\n" + body, encoding="utf-8")
    return path


def test_a_model_file_gives_the_belt_its_truth_and_the_runner_a_footpod(tmp_path: Path) -> None:
    model = load_model(
        _model(
            tmp_path,
            "truth:\n  error: [{speed: 8, percent: -7}, {speed: 14, percent: -3}]\n"
            "  footstrike: -1\nfootpod: {factor: 1.02, noise: 0.1}\n",
        )
    )
    assert model.belt.truth.error_points == ((8.0, -7.0), (14.0, -3.0))
    assert model.belt.truth.footstrike_percent == -1.0
    assert model.footpod is not None and model.footpod.factor == 1.02
    assert load_model("generic").footpod is None and load_model("generic").belt.truth.exact


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("truth:\n  error: [{speed: 14, percent: -3}, {speed: 8, percent: -7}]\n", "truth.error"),
        ("truth:\n  error: [{speed: 8, percent: -70}]\n", "percent"),
        ("footpod: {factor: 3}\n", "footpod.factor"),
        ("footpod: {dropout_every: 10, dropout: 20}\n", "footpod.dropout"),
    ],
)
def test_a_bad_truth_or_footpod_is_one_line(tmp_path: Path, body: str, field: str) -> None:
    with pytest.raises(UserError) as err:
        load_model(_model(tmp_path, body))
    text = str(err.value)
    assert "\n" not in text and field in text and "m.yaml" in text
