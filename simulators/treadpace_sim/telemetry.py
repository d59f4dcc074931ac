"""What the software treadmill reports: Treadmill Data records and heart-rate packets.

Pure functions of the model, the belt and the machine's odometer; the server calls
them when the driver asks for telemetry.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Final

from treadpace.base.frozen_record import frozen_record
from treadpace.ftms import (
    HeartRateMeasurement,
    TreadmillData,
    encode_heart_rate,
    encode_treadmill_data,
    split_treadmill_data,
)
from treadpace_sim.belt import Belt
from treadpace_sim.model import TreadmillModel
from treadpace_sim.total_distance import MachineOdometer

_EMPTY_RECORD: Final[dict[str, Any]] = {
    f.name: f.default for f in dataclasses.fields(TreadmillData)
}
"""Every field of a record at its default: what a model leaves out."""


def telemetry_due(model: TreadmillModel, belt: Belt) -> bool:
    """Whether a Treadmill Data record is sent now (some machines go quiet when stopped)."""
    if model.notify_when_stopped:
        return True
    return belt.speed_kmh > 0 or belt.moving


def telemetry_payloads(model: TreadmillModel, td: TreadmillData) -> list[bytes]:
    """One record as notification payloads, split or cut the way the model's firmware does."""
    if model.telemetry_packets == "split":
        return split_treadmill_data(td, model.max_payload)
    data = encode_treadmill_data(td)
    if model.telemetry_packets == "truncate" and len(data) > model.max_payload:
        return [data[: model.max_payload]]
    return [data]


def heart_rate_payload(belt: Belt) -> bytes:
    """A Heart Rate Measurement: the strap's reading and one RR interval at that rate.

    A strap without contact says so (sensor contact off, 0 bpm, no RR interval).
    """
    reading = belt.heart.reading()
    if reading is None:
        return encode_heart_rate(HeartRateMeasurement(0, False, None, ()))
    bpm = max(1, min(reading, 255))
    rr = round(60 / bpm * 1024)
    return encode_heart_rate(HeartRateMeasurement(bpm, True, None, (rr,)))


def treadmill_record(model: TreadmillModel, belt: Belt, odometer: MachineOdometer) -> TreadmillData:
    """The belt as one Treadmill Data record, with the fields the model carries."""
    f = frozenset(model.telemetry_fields)
    w = model.to_wire_speed
    speed = w(belt.speed_kmh)
    inc = belt.incline_percent
    kw: dict[str, Any] = {"speed_kmh": _cap(speed, 655.35)}
    if "average_speed" in f or "pace" in f:
        average = _cap(w(belt.average_speed_kmh), 655.35)
        if "average_speed" in f:
            kw["average_speed_kmh"] = average
        if "pace" in f:
            kw["instantaneous_pace"] = _cap(speed / 60, 25.5)
            kw["average_pace"] = _cap(average / 60, 25.5)
    if "distance" in f:
        kw["total_distance_m"] = odometer.total_m(belt)
    if "inclination" in f:
        kw["inclination_percent"] = round(inc, 1)
    if "elevation_gain" in f:
        kw["positive_elevation_gain_m"] = _cap(belt.elevation_gain_m, 6553.5)
        kw["negative_elevation_gain_m"] = _cap(belt.elevation_loss_m, 6553.5)
    _add_energy(kw, f, belt)
    if "heart_rate" in f:
        # 0 is what consoles send without a strap
        kw["heart_rate_bpm"] = min(belt.heart.reading() or 0, 255)
    if "elapsed_time" in f:
        kw["elapsed_time_s"] = min(int(belt.elapsed_s), 0xFFFF)
    if "force_power" in f:
        force = _force(belt.spec.runner_mass_kg, inc)
        kw["force_on_belt_n"] = force
        kw["power_output_w"] = min(round(force * belt.speed_kmh / 3.6), 0x7FFE)
    if "step_count" in f:
        kw["step_count"] = min(int(belt.steps), 0xFFFFFF)
    # One for every packet: made from one dict (base/frozen_record.py), every field named.
    return frozen_record(TreadmillData, {**_EMPTY_RECORD, **kw})


def _add_energy(kw: dict[str, Any], f: frozenset[str], belt: Belt) -> None:
    if "energy" not in f and "metabolic_equivalent" not in f:
        return
    rate_h = belt.energy_rate_kcal_h()
    if "energy" in f:
        kw["total_energy_kcal"] = min(int(belt.energy_kcal), 0xFFFE)
        kw["energy_per_hour_kcal"] = min(round(rate_h), 0xFFFE)
        kw["energy_per_minute_kcal"] = min(round(rate_h / 60), 0xFE)
    if "metabolic_equivalent" in f:
        kw["metabolic_equivalent"] = _cap(max(1.0, rate_h / belt.spec.runner_mass_kg), 25.5)


def _cap(value: float, top: float) -> float:
    return min(max(value, 0.0), top)


def _force(mass_kg: float, incline_percent: float) -> int:
    """Force the runner puts into the belt to climb: m·g·sin(atan(grade))."""
    grade = incline_percent / 100
    return max(-0x7FFE, min(0x7FFE, round(mass_kg * 9.81 * grade / math.sqrt(1 + grade * grade))))
