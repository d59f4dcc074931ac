"""Treadmill model files as written: the pydantic model of each section.

The sections mirror the YAML (`speed`, `incline`, `belt`, `runner`, `truth`,
`footpod`, `telemetry`, `control`, `quirks`, `odometer`, `faults`); every field is
optional except `name`, and a missing one takes the strict default of `generic.yaml`.
Bounds that depend on another field (speed.max above speed.min, hr_max above
hr_rest) and the wire limits are checked while the `TreadmillModel` is built, each
naming the field it is about.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, TypeVar

from treadpace.base.printable import printable
from treadpace.base.units import KMH_PER_MPH
from treadpace.base.user_error import UserError
from treadpace.plans.yaml_document import Document, read_yaml
from treadpace_sim.belt import BeltSpec
from treadpace_sim.fault_file import faults_at
from treadpace_sim.file_schema import (
    BOOLEAN,
    TEXT,
    Section,
    choice,
    fail,
    integer,
    number,
    validate,
)
from treadpace_sim.model_spec import DEFAULT_FIELDS, TELEMETRY_FIELDS, TreadmillModel
from treadpace_sim.runner_footpod import FootpodSpec
from treadpace_sim.truth import TrueSpeed

T = TypeVar("T")

Num = Annotated[float | None, number()]
Positive = Annotated[float | None, number(positive=True)]
Seconds = Annotated[float | None, number(positive=True, duration=True)]
Flag = Annotated[bool | None, BOOLEAN]
Text = Annotated[str | None, TEXT]


class Device(Section):
    manufacturer: Text = None
    model_number: Text = None
    firmware: Text = None
    local_name: Text = None


class Speed(Section):
    unit: Annotated[str, choice(("kmh", "mph"))] = "kmh"
    min: Annotated[float | None, number(0.0)] = None
    max: Positive = None
    increment: Positive = None
    start: Annotated[float | None, number(0.0)] = None


class Incline(Section):
    present: Annotated[bool, BOOLEAN] = True
    min: Num = None
    max: Num = None
    increment: Positive = None


class BeltSection(Section):
    acceleration: Positive = None
    deceleration: Positive = None
    emergency_deceleration: Positive = None
    incline_rate: Positive = None
    start_delay: Annotated[float | None, number(0.0, 60.0, duration=True)] = None
    incline_home_on_stop: Flag = None
    resume_to_minimum: Flag = None


class Runner(Section):
    mass_kg: Annotated[float | None, number(20, 250)] = None
    hr_rest: Annotated[float | None, number(30, 120)] = None
    hr_max: Num = None
    hr_speed_at_max: Positive = None
    hr_rise_tau: Seconds = None
    hr_fall_tau: Seconds = None
    hr_threshold: Positive = None
    hr_drift: Annotated[float | None, number(0.0, 60.0)] = None
    hr_noise: Annotated[float | None, number(0.0, 20.0)] = None
    hr_dropout_every: Annotated[float | None, number(0.0, 86400.0, duration=True)] = None
    hr_dropout: Annotated[float | None, number(0.0, 3600.0, duration=True)] = None


class ErrorPoint(Section):
    speed: Annotated[float, number(positive=True)]
    percent: Annotated[float, number(-50.0, 50.0)]


class Truth(Section):
    """The belt's hidden error: what the runner really runs (treadpace_sim/truth.py)."""

    error: tuple[ErrorPoint, ...] = ()
    per_incline: Annotated[float, number(-5.0, 5.0)] = 0.0
    footstrike: Annotated[float, number(-20.0, 20.0)] = 0.0


class FootpodSection(Section):
    """A simulated Running Speed and Cadence footpod on the runner's shoe (footpod.py)."""

    present: Annotated[bool, BOOLEAN] = True
    factor: Annotated[float, number(0.5, 1.5)] = 1.0
    noise: Annotated[float, number(0.0, 2.0)] = 0.05
    dropout_every: Annotated[float, number(0.0, 86400.0, duration=True)] = 0.0
    dropout: Annotated[float, number(0.0, 3600.0, duration=True)] = 0.0
    local_name: Text = None


class Telemetry(Section):
    rate_hz: Annotated[float, number(0.1, 20.0)] = 1.0
    fields: tuple[Annotated[str, choice(tuple(TELEMETRY_FIELDS))], ...] | None = DEFAULT_FIELDS
    packets: Annotated[str, choice(("single", "split", "truncate"))] = "split"
    max_payload: Annotated[int, integer(7, 512)] = 20
    when_stopped: Annotated[bool, BOOLEAN] = True


class Control(Section):
    point: Annotated[str, choice(("indicate", "notify", "none"))] = "indicate"
    request_control: Annotated[str, choice(("grant", "silent", "refuse"))] = "grant"
    speed_target: Annotated[str, choice(("accept", "ignore", "absent"))] = "accept"
    incline_target: Annotated[str, choice(("accept", "fail", "ignore", "absent"))] = "accept"
    targets_while_stopped: Annotated[str, choice(("accept", "fail"))] = "accept"
    off_increment: Annotated[str, choice(("reject", "round"))] = "reject"
    responses_as: Annotated[str, choice(("indicate", "notify"))] = "indicate"
    response_copies: Annotated[int, integer(1, 3)] = 1


class Quirks(Section):
    wire_speed_unit: Annotated[str, choice(("kmh", "mph"))] = "kmh"
    training_status: Annotated[bool, BOOLEAN] = True
    notify_before_subscribe: Annotated[bool, BOOLEAN] = False
    status_min_length: Annotated[int, integer(0, 19)] = 0
    speed_status_during_ramp: Annotated[bool, BOOLEAN] = False
    stop_on_disconnect: Annotated[bool, BOOLEAN] = False
    status_echo: Annotated[bool, BOOLEAN] = False
    heart_rate_service: Annotated[bool, BOOLEAN] = False
    inclination_range: Annotated[str, choice(("spec", "zeros"))] = "spec"
    machine_features: Annotated[int | None, integer(0, 0xFFFFFFFF)] = None
    target_features: Annotated[int | None, integer(0, 0xFFFFFFFF)] = None


class Odometer(Section):
    start: Annotated[float, number(0.0, 0xFFFFFF)] = 0.0
    resets: Annotated[bool, BOOLEAN] = True


class ModelFile(Section):
    name: Annotated[str, TEXT]
    description: Annotated[str, TEXT] = ""
    device: Device | None = None
    speed: Speed | None = None
    incline: Incline | None = None
    belt: BeltSection | None = None
    runner: Runner | None = None
    truth: Truth | None = None
    footpod: FootpodSection | None = None
    telemetry: Telemetry | None = None
    control: Control | None = None
    quirks: Quirks | None = None
    odometer: Odometer | None = None
    faults: Any = None
    """Validated entry by entry (fault_file.py), for errors that name the entry."""


def _missing(key: str | int) -> str:
    return "a text value" if key == "name" else "a value"


def load_model_file(path: Path) -> TreadmillModel:
    """A model file, validated; every mistake is one line (`file:line: field: expected ...`)."""
    doc = read_yaml(path, "treadmill model", expand_env=False)
    if not isinstance(doc.data, dict):
        where = f"{doc.path}:{doc.line_of(())}"
        raise UserError(printable(f"{where}: (top level): expected a mapping of fields"))
    return _build(doc, validate(doc, ModelFile, _missing))


def _build(doc: Document, f: ModelFile) -> TreadmillModel:
    name = f.name
    device = f.device or Device()
    speed_unit, belt_kw = _speed(doc, f.speed or Speed())
    belt_kw.update(_incline(doc, f.incline))
    belt_kw.update(_belt(f.belt or BeltSection()))
    belt_kw.update(_runner(doc, f.runner or Runner()))
    belt_kw["truth"] = _truth(doc, f.truth or Truth())
    belt = BeltSpec(**belt_kw)
    tel = f.telemetry or Telemetry()
    fields = tuple(tel.fields or ())
    if not belt.has_incline:
        fields = tuple(x for x in fields if x != "inclination")
    ctl = f.control or Control()
    q = f.quirks or Quirks()
    zeros = q.inclination_range == "zeros"
    if zeros and belt.has_incline:
        raise fail(doc, ("quirks", "inclination_range"), '"spec" with an incline')
    odo = f.odometer or Odometer()
    model = TreadmillModel(
        name=name,
        description=f.description,
        source=doc.path,
        manufacturer=_or(device.manufacturer, "treadpace"),
        model_number=_or(device.model_number, f"SIM-{name}"),
        firmware=_or(device.firmware, "1.0"),
        local_name=_or(device.local_name, f"treadpace-{name}"),
        belt=belt,
        speed_unit=speed_unit,
        wire_speed_unit=q.wire_speed_unit,
        telemetry_rate_hz=tel.rate_hz,
        telemetry_fields=fields,
        telemetry_packets=tel.packets,
        max_payload=tel.max_payload,
        notify_when_stopped=tel.when_stopped,
        control_point=ctl.point,
        request_control=ctl.request_control,
        speed_target=ctl.speed_target,
        incline_target=ctl.incline_target,
        targets_while_stopped=ctl.targets_while_stopped,
        off_increment=ctl.off_increment,
        responses_as=ctl.responses_as,
        response_copies=ctl.response_copies,
        training_status=q.training_status,
        notify_before_subscribe=q.notify_before_subscribe,
        status_min_length=q.status_min_length,
        speed_status_during_ramp=q.speed_status_during_ramp,
        stop_on_disconnect=q.stop_on_disconnect,
        status_echo=q.status_echo,
        heart_rate_service=q.heart_rate_service,
        incline_range_zeros=zeros,
        machine_features=q.machine_features,
        target_features=q.target_features,
        odometer_start_m=odo.start,
        odometer_resets=odo.resets,
        footpod=_footpod(doc, f.footpod, name),
        faults=tuple(faults_at(doc, ("faults",))) if "faults" in f.model_fields_set else (),
    )
    _check_wire(doc, model)
    return model


def _or(value: T | None, default: T) -> T:
    return default if value is None else value


def _speed(doc: Document, m: Speed) -> tuple[str, dict[str, Any]]:
    f = KMH_PER_MPH if m.unit == "mph" else 1.0
    lo = _or(m.min, 0.8 / f)
    hi = _or(m.max, 20.0 / f)
    inc = _or(m.increment, 0.1 / f)
    start = _or(m.start, lo)
    if hi <= lo:
        raise fail(doc, ("speed", "max"), f"a number above min ({lo:g})")
    if lo <= 0:
        raise fail(doc, ("speed", "min"), "a number > 0 (the slowest belt speed)")
    if not lo <= start <= hi:
        raise fail(doc, ("speed", "start"), f"a number from {lo:g} to {hi:g}")
    return m.unit, {
        "speed_min_kmh": lo * f,
        "speed_max_kmh": hi * f,
        "speed_increment_kmh": inc * f,
        "start_speed_kmh": start * f,
    }


def _incline(doc: Document, m: Incline | None) -> dict[str, Any]:
    if m is None:
        return {}
    if not m.present:
        if m.model_fields_set - {"present"}:
            key = sorted(m.model_fields_set - {"present"})[0]
            raise fail(doc, ("incline", key), "a known field (unknown field)")
        return {"has_incline": False}
    lo, hi, inc = _or(m.min, 0.0), _or(m.max, 12.0), _or(m.increment, 1.0)
    if hi <= lo:
        raise fail(doc, ("incline", "max"), f"a number above min ({lo:g})")
    return {"incline_min_percent": lo, "incline_max_percent": hi, "incline_increment_percent": inc}


def _belt(m: BeltSection) -> dict[str, Any]:
    d = BeltSpec()
    return {
        "acceleration_kmh_s": _or(m.acceleration, d.acceleration_kmh_s),
        "deceleration_kmh_s": _or(m.deceleration, d.deceleration_kmh_s),
        "emergency_deceleration_kmh_s": _or(
            m.emergency_deceleration, d.emergency_deceleration_kmh_s
        ),
        "incline_rate_percent_s": _or(m.incline_rate, d.incline_rate_percent_s),
        "start_delay_s": _or(m.start_delay, 0.0),
        "incline_home_on_stop": _or(m.incline_home_on_stop, True),
        "resume_to_minimum": _or(m.resume_to_minimum, False),
    }


def _runner(doc: Document, m: Runner) -> dict[str, Any]:
    d = BeltSpec()
    rest = _or(m.hr_rest, d.hr_rest_bpm)
    hr_max = _or(m.hr_max, d.hr_max_bpm)
    if not rest + 1 <= hr_max <= 230:
        raise fail(doc, ("runner", "hr_max"), f"a number from {rest + 1:g} to 230")
    every, gone = _or(m.hr_dropout_every, 0.0), _or(m.hr_dropout, 0.0)
    if gone > 0 and not 0 < gone < every:
        raise fail(doc, ("runner", "hr_dropout"), "less than hr_dropout_every (s)")
    return {
        "runner_mass_kg": _or(m.mass_kg, d.runner_mass_kg),
        "hr_rest_bpm": rest,
        "hr_max_bpm": hr_max,
        "hr_speed_at_max_kmh": _or(m.hr_speed_at_max, d.hr_speed_at_max_kmh),
        "hr_rise_tau_s": _or(m.hr_rise_tau, d.hr_rise_tau_s),
        "hr_fall_tau_s": _or(m.hr_fall_tau, d.hr_fall_tau_s),
        "hr_threshold_kmh": m.hr_threshold,
        "hr_drift_bpm_h": _or(m.hr_drift, d.hr_drift_bpm_h),
        "hr_noise_bpm": _or(m.hr_noise, d.hr_noise_bpm),
        "hr_dropout_every_s": every,
        "hr_dropout_s": gone,
    }


def _truth(doc: Document, m: Truth) -> TrueSpeed:
    speeds = [p.speed for p in m.error]
    if speeds != sorted(set(speeds)):
        raise fail(doc, ("truth", "error"), "points at rising, distinct speeds")
    return TrueSpeed(
        error_points=tuple((p.speed, p.percent) for p in m.error),
        per_incline_percent=m.per_incline,
        footstrike_percent=m.footstrike,
    )


def _footpod(doc: Document, m: FootpodSection | None, name: str) -> FootpodSpec | None:
    if m is None or not m.present:
        return None
    if m.dropout > 0 and not m.dropout < m.dropout_every:
        raise fail(doc, ("footpod", "dropout"), "less than dropout_every (s)")
    return FootpodSpec(
        factor=m.factor,
        noise_kmh=m.noise,
        dropout_every_s=m.dropout_every,
        dropout_s=m.dropout,
        local_name=_or(m.local_name, f"treadpace-{name}-footpod"),
    )


def _check_wire(doc: Document, model: TreadmillModel) -> None:
    """Ranges must fit their wire fields (uint16 0.01 km/h; sint16 0.1 %)."""
    _, hi, inc = model.wire_speed_range()
    if hi > 0xFFFF or inc > 0xFFFF:
        raise fail(doc, ("speed", "max"), "a speed below 655.35 on the wire")
    ilo, ihi, _ = model.wire_incline_range()
    if model.belt.has_incline and not (ilo >= -0x8000 and ihi < 0x7FFF):
        raise fail(doc, ("incline",), "limits within -3276.8..3276.6 %")
    if model.telemetry_packets == "split" and model.max_payload < 7:
        raise fail(doc, ("telemetry", "max_payload"), "at least 7 octets to split")
