"""Treadmill models: a YAML file per machine behaviour, in `configs/treadmills/`.

A model says what the machine is (ranges, belt rates, what its telemetry carries)
and how it bends the protocol (quirk flags, from ftms.md §8). `load_model` takes a
shipped name (`generic`, `slow-belt`, ...) or a path to a user's own file, and
reports every mistake as one line: `file:line: field: expected ...`.

All fields but `name` have defaults: the defaults are the strict, spec-compliant
machine of `generic.yaml`, so a user's file only lists what differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from ftms_sim._yaml import YamlDoc, YamlMap
from ftms_sim.belt import BeltSpec
from ftms_sim.faults import Fault, parse_faults
from treadpace.errors import UserError
from treadpace.paths import config_home, configs_dir
from treadpace.units import KMH_PER_MPH

# telemetry field name -> Fitness Machine Features bit it advertises (ftms.md §3.1)
TELEMETRY_FIELDS: Final = {
    "average_speed": 0,
    "distance": 2,
    "inclination": 3,
    "elevation_gain": 4,
    "pace": 5,
    "step_count": 6,
    "energy": 9,
    "heart_rate": 10,
    "metabolic_equivalent": 11,
    "elapsed_time": 12,
    "force_power": 15,
}

DEFAULT_FIELDS: Final = (
    "average_speed",
    "distance",
    "inclination",
    "elevation_gain",
    "energy",
    "heart_rate",
    "elapsed_time",
)


@dataclass(frozen=True)
class TreadmillModel:
    """One machine. Speeds in `belt` are true km/h; `wire_*` is what goes over the air."""

    name: str
    description: str = ""
    source: str = ""
    manufacturer: str = "treadpace"
    model_number: str = "SIM"
    firmware: str = "1.0"
    local_name: str = "treadpace-sim"
    """Advertised name; empty: none (the Omega Z advertises no name, ftms.md §1.2)."""
    belt: BeltSpec = field(default_factory=BeltSpec)
    speed_unit: str = "kmh"
    """Unit of the console's speed grid: "kmh" or "mph" (0.1 mph steps, Q9)."""
    wire_speed_unit: str = "kmh"
    """"mph" puts mph numbers in the km/h fields (FitShow-style firmware, Q9)."""
    telemetry_rate_hz: float = 1.0
    telemetry_fields: tuple[str, ...] = DEFAULT_FIELDS
    telemetry_packets: str = "split"
    """"single" (one notification, any length), "split" (spec §4.19), "truncate" (Q7 Matrix)."""
    max_payload: int = 20
    notify_when_stopped: bool = True
    control_point: str = "indicate"
    """"indicate" (spec), "notify" (declared write+notify, Q5 Omega Z) or "none" (Q12)."""
    request_control: str = "grant"
    """"grant", "silent" (grants without answering, Q5) or "refuse" (locked firmware, Q4)."""
    speed_target: str = "accept"
    """"accept", "ignore" (answers success, belt does not follow, Q4) or "absent"."""
    incline_target: str = "accept"
    """"accept", "fail" (answers operation failed, Yesoul), "ignore" or "absent"."""
    targets_while_stopped: str = "accept"
    """"accept" or "fail": speed/incline answered operation failed until the belt runs (Q3)."""
    off_increment: str = "reject"
    """"reject" (invalid parameter) or "round" to the machine's grid."""
    responses_as: str = "indicate"
    """"indicate" (spec) or "notify" (Urevo answers with notifications, Q5)."""
    response_copies: int = 1
    training_status: bool = True
    notify_before_subscribe: bool = False
    status_min_length: int = 0
    """Pad Machine Status frames with zero octets to this length (Urevo `04 00 00`)."""
    speed_status_during_ramp: bool = False
    """Stream `05` Target Speed Changed with the ramping value while decelerating (Urevo)."""
    stop_on_disconnect: bool = False
    status_echo: bool = False
    """Machine Status caused by a client's command goes to that client too (most real machines)."""
    heart_rate_service: bool = False
    incline_range_zeros: bool = False
    """No incline, yet the incline target is claimed and the range is six zero octets (Urevo)."""
    """Also expose the Heart Rate Service (0x180D), as machines with a built-in receiver do."""
    """The belt stops when the last client disconnects (Horizon 7.4 AT, Q13)."""
    machine_features: int | None = None
    target_features: int | None = None
    odometer_start_m: float = 0.0
    """Total Distance before the belt first moves (distance since power-on, a lifetime count)."""
    odometer_resets: bool = True
    """False: a lifetime odometer that a Reset and a reboot leave counting on."""
    faults: tuple[Fault, ...] = ()

    # --- derived ------------------------------------------------------------------

    @property
    def has_control_point(self) -> bool:
        return self.control_point != "none"

    def feature_bits(self) -> tuple[int, int]:
        """(machine, target) bits: derived from the telemetry unless the file overrides."""
        machine = 0
        for name in self.telemetry_fields:
            machine |= 1 << TELEMETRY_FIELDS[name]
        target = 0
        if self.has_control_point and self.speed_target != "absent":
            target |= 1
        if self.has_control_point and self.belt.has_incline and self.incline_target != "absent":
            target |= 2
        if self.has_control_point and self.incline_range_zeros:
            target |= 2
        if self.machine_features is not None:
            machine = self.machine_features
        if self.target_features is not None:
            target = self.target_features
        return machine, target

    def to_wire_speed(self, kmh: float) -> float:
        return kmh / KMH_PER_MPH if self.wire_speed_unit == "mph" else kmh

    def from_wire_speed(self, value: float) -> float:
        return value * KMH_PER_MPH if self.wire_speed_unit == "mph" else value

    def wire_speed_range(self) -> tuple[int, int, int]:
        """Supported Speed Range as raw 0.01 units (min, max, increment)."""
        b = self.belt
        w = self.to_wire_speed
        return (
            round(w(b.speed_min_kmh) * 100),
            round(w(b.speed_max_kmh) * 100),
            max(1, round(w(b.speed_increment_kmh) * 100)),
        )

    def wire_incline_range(self) -> tuple[int, int, int]:
        b = self.belt
        if self.incline_range_zeros:
            return (0, 0, 0)
        return (
            round(b.incline_min_percent * 10),
            round(b.incline_max_percent * 10),
            max(1, round(b.incline_increment_percent * 10)),
        )

    def snap_speed(self, kmh: float) -> float:
        """The nearest speed on the machine's true grid (km/h or 0.1 mph steps), in range."""
        b = self.belt
        unit = KMH_PER_MPH if self.speed_unit == "mph" else 1.0
        lo, inc = b.speed_min_kmh / unit, b.speed_increment_kmh / unit
        k = round((kmh / unit - lo) / inc)
        snapped = (lo + k * inc) * unit
        return min(max(snapped, b.speed_min_kmh), b.speed_max_kmh)

    def snap_incline(self, percent: float) -> float:
        b = self.belt
        k = round((percent - b.incline_min_percent) / b.incline_increment_percent)
        snapped = b.incline_min_percent + k * b.incline_increment_percent
        return min(max(snapped, b.incline_min_percent), b.incline_max_percent)


# --- loading ------------------------------------------------------------------------


def models_dir() -> Path:
    """The shipped models."""
    return configs_dir() / "treadmills"


def user_models_dir() -> Path:
    """The runner's own models, found by name like the shipped ones."""
    return config_home() / "treadmills"


def _model_files() -> dict[str, Path]:
    files: dict[str, Path] = {}
    for folder in (user_models_dir(), models_dir()):  # a shipped name wins over a user's
        if folder.is_dir():
            files.update({p.stem: p for p in folder.glob("*.yaml")})
    return files


def list_models() -> list[str]:
    """Names of the shipped models (configs/treadmills/) and of the user's own."""
    return sorted(_model_files())


def load_model(name_or_path: str | Path) -> TreadmillModel:
    """A model by name, or a model file by path. Bad input raises a one-line UserError."""
    text = str(name_or_path)
    path = Path(text)
    if not (text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text):
        found = _model_files().get(text)
        if found is None:
            known = ", ".join(list_models())
            raise UserError(f"unknown treadmill model {text!r}: expected one of {known}, or a path")
        path = found
    elif not path.exists():
        raise UserError(f"{path}: no such model file")
    return parse_model(YamlDoc.load(path))


def parse_model(doc: YamlDoc) -> TreadmillModel:
    root = doc.root_map()
    name = root.text("name")
    description = root.text("description", "")
    device = root.mapping("device")
    manufacturer, model_number, firmware = "treadpace", f"SIM-{name}", "1.0"
    local_name = f"treadpace-{name}"
    if device is not None:
        manufacturer = device.text("manufacturer", manufacturer)
        model_number = device.text("model_number", model_number)
        firmware = device.text("firmware", firmware)
        local_name = device.text("local_name", local_name)
        device.finish()

    speed_unit, belt_kw = _speed(doc, root.mapping("speed"))
    belt_kw.update(_incline(doc, root.mapping("incline")))
    belt_kw.update(_belt(root.mapping("belt")))
    belt_kw.update(_runner(root.mapping("runner")))
    belt = BeltSpec(**belt_kw)  # type: ignore[arg-type]

    kw: dict[str, object] = {}
    fields: tuple[str, ...] = DEFAULT_FIELDS
    tel = root.mapping("telemetry")
    if tel is not None:
        kw["telemetry_rate_hz"] = tel.number("rate_hz", 1.0, minimum=0.1, maximum=20.0)
        fields = tuple(tel.text_list("fields", tuple(TELEMETRY_FIELDS), DEFAULT_FIELDS))
        kw["telemetry_packets"] = tel.choice("packets", ("single", "split", "truncate"), "split")
        kw["max_payload"] = tel.integer("max_payload", 20, minimum=7, maximum=512)
        kw["notify_when_stopped"] = tel.boolean("when_stopped", True)
        tel.finish()
    if not belt.has_incline:
        fields = tuple(f for f in fields if f != "inclination")
    kw["telemetry_fields"] = fields

    ctl = root.mapping("control")
    if ctl is not None:
        kw["control_point"] = ctl.choice("point", ("indicate", "notify", "none"), "indicate")
        kw["request_control"] = ctl.choice(
            "request_control", ("grant", "silent", "refuse"), "grant"
        )
        kw["speed_target"] = ctl.choice("speed_target", ("accept", "ignore", "absent"), "accept")
        kw["incline_target"] = ctl.choice(
            "incline_target", ("accept", "fail", "ignore", "absent"), "accept"
        )
        kw["targets_while_stopped"] = ctl.choice(
            "targets_while_stopped", ("accept", "fail"), "accept"
        )
        kw["off_increment"] = ctl.choice("off_increment", ("reject", "round"), "reject")
        kw["responses_as"] = ctl.choice("responses_as", ("indicate", "notify"), "indicate")
        kw["response_copies"] = ctl.integer("response_copies", 1, minimum=1, maximum=3)
        ctl.finish()

    quirks = root.mapping("quirks")
    if quirks is not None:
        kw["wire_speed_unit"] = quirks.choice("wire_speed_unit", ("kmh", "mph"), "kmh")
        kw["training_status"] = quirks.boolean("training_status", True)
        kw["notify_before_subscribe"] = quirks.boolean("notify_before_subscribe", False)
        kw["status_min_length"] = quirks.integer("status_min_length", 0, minimum=0, maximum=19)
        kw["speed_status_during_ramp"] = quirks.boolean("speed_status_during_ramp", False)
        kw["stop_on_disconnect"] = quirks.boolean("stop_on_disconnect", False)
        kw["status_echo"] = quirks.boolean("status_echo", False)
        kw["heart_rate_service"] = quirks.boolean("heart_rate_service", False)
        zeros = quirks.choice("inclination_range", ("spec", "zeros"), "spec") == "zeros"
        if zeros and belt.has_incline:
            raise doc.fail(quirks.node, "quirks.inclination_range", '"spec" with an incline')
        kw["incline_range_zeros"] = zeros
        for key in ("machine_features", "target_features"):
            if quirks.has(key):
                kw[key] = quirks.integer(key, 0, minimum=0, maximum=0xFFFFFFFF)
            else:
                quirks.integer(key, 0, minimum=0, maximum=0)  # mark as known
        quirks.finish()

    odo = root.mapping("odometer")
    if odo is not None:
        kw["odometer_start_m"] = odo.number("start", 0.0, minimum=0.0, maximum=0xFFFFFF)
        kw["odometer_resets"] = odo.boolean("resets", True)
        odo.finish()

    nodes = root.sequence("faults")
    if nodes:
        kw["faults"] = tuple(parse_faults(doc, nodes, "faults"))
    root.finish()
    model = TreadmillModel(
        name=name,
        description=description,
        source=doc.source,
        manufacturer=manufacturer,
        model_number=model_number,
        firmware=firmware,
        local_name=local_name,
        belt=belt,
        speed_unit=speed_unit,
        **kw,  # type: ignore[arg-type]
    )
    _check_wire(doc, root, model)
    return model


def _speed(doc: YamlDoc, m: YamlMap | None) -> tuple[str, dict[str, object]]:
    if m is None:
        return "kmh", {}
    unit = m.choice("unit", ("kmh", "mph"), "kmh")
    f = KMH_PER_MPH if unit == "mph" else 1.0
    lo = m.number("min", 0.8 / f, minimum=0.0)
    hi = m.number("max", 20.0 / f, positive=True)
    inc = m.number("increment", 0.1 / f, positive=True)
    start = m.number("start", lo, minimum=0.0)
    if hi <= lo:
        raise doc.fail(m.node, f"{m.path}.max", f"a number above min ({lo:g})")
    if lo <= 0:
        raise doc.fail(m.node, f"{m.path}.min", "a number > 0 (the slowest belt speed)")
    if not lo <= start <= hi:
        raise doc.fail(m.node, f"{m.path}.start", f"a number from {lo:g} to {hi:g}")
    m.finish()
    return unit, {
        "speed_min_kmh": lo * f,
        "speed_max_kmh": hi * f,
        "speed_increment_kmh": inc * f,
        "start_speed_kmh": start * f,
    }


def _incline(doc: YamlDoc, m: YamlMap | None) -> dict[str, object]:
    if m is None:
        return {}
    if not m.boolean("present", True):
        m.finish()
        return {"has_incline": False}
    lo = m.number("min", 0.0)
    hi = m.number("max", 12.0)
    inc = m.number("increment", 1.0, positive=True)
    if hi <= lo:
        raise doc.fail(m.node, f"{m.path}.max", f"a number above min ({lo:g})")
    m.finish()
    return {"incline_min_percent": lo, "incline_max_percent": hi, "incline_increment_percent": inc}


def _belt(m: YamlMap | None) -> dict[str, object]:
    if m is None:
        return {}
    d = BeltSpec()
    out: dict[str, object] = {
        "acceleration_kmh_s": m.number("acceleration", d.acceleration_kmh_s, positive=True),
        "deceleration_kmh_s": m.number("deceleration", d.deceleration_kmh_s, positive=True),
        "emergency_deceleration_kmh_s": m.number(
            "emergency_deceleration", d.emergency_deceleration_kmh_s, positive=True
        ),
        "incline_rate_percent_s": m.number("incline_rate", d.incline_rate_percent_s, positive=True),
        "start_delay_s": m.number("start_delay", 0.0, minimum=0.0, maximum=60.0, duration=True),
        "incline_home_on_stop": m.boolean("incline_home_on_stop", True),
        "resume_to_minimum": m.boolean("resume_to_minimum", False),
    }
    m.finish()
    return out


def _runner(m: YamlMap | None) -> dict[str, object]:
    if m is None:
        return {}
    d = BeltSpec()
    rest = m.number("hr_rest", d.hr_rest_bpm, minimum=30, maximum=120)
    out: dict[str, object] = {
        "runner_mass_kg": m.number("mass_kg", d.runner_mass_kg, minimum=20, maximum=250),
        "hr_rest_bpm": rest,
        "hr_max_bpm": m.number("hr_max", d.hr_max_bpm, minimum=rest + 1, maximum=230),
        "hr_speed_at_max_kmh": m.number("hr_speed_at_max", d.hr_speed_at_max_kmh, positive=True),
        "hr_rise_tau_s": m.number("hr_rise_tau", d.hr_rise_tau_s, positive=True, duration=True),
        "hr_fall_tau_s": m.number("hr_fall_tau", d.hr_fall_tau_s, positive=True, duration=True),
        "hr_threshold_kmh": m.optional_number("hr_threshold", positive=True),
        "hr_drift_bpm_h": m.number("hr_drift", d.hr_drift_bpm_h, minimum=0.0, maximum=60.0),
        "hr_noise_bpm": m.number("hr_noise", d.hr_noise_bpm, minimum=0.0, maximum=20.0),
        "hr_dropout_every_s": m.number(
            "hr_dropout_every", 0.0, minimum=0.0, maximum=86400.0, duration=True
        ),
        "hr_dropout_s": m.number("hr_dropout", 0.0, minimum=0.0, maximum=3600.0, duration=True),
    }
    every, gone = out["hr_dropout_every_s"], out["hr_dropout_s"]
    assert isinstance(every, float) and isinstance(gone, float)
    if gone > 0 and not 0 < gone < every:
        raise m.doc.fail(m.node, f"{m.path}.hr_dropout", "less than hr_dropout_every (s)")
    m.finish()
    return out


def _check_wire(doc: YamlDoc, root: YamlMap, model: TreadmillModel) -> None:
    """Ranges must fit their wire fields (uint16 0.01 km/h; sint16 0.1 %)."""
    _, hi, inc = model.wire_speed_range()
    if hi > 0xFFFF or inc > 0xFFFF:
        raise doc.fail(root.node, "speed.max", "a speed below 655.35 on the wire")
    ilo, ihi, _ = model.wire_incline_range()
    if model.belt.has_incline and not (ilo >= -0x8000 and ihi < 0x7FFF):
        raise doc.fail(root.node, "incline", "limits within -3276.8..3276.6 %")
    if model.telemetry_packets == "split" and model.max_payload < 7:
        raise doc.fail(root.node, "telemetry.max_payload", "at least 7 octets to split")
