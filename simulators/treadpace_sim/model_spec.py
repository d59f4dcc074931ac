"""What a simulated treadmill is: its ranges, belt rates, telemetry and quirk flags.

The data half of `model.py`, apart so that the file schema (`model_file.py`) can
build a `TreadmillModel` without importing the module that loads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from treadpace.base.units import KMH_PER_MPH
from treadpace_sim.belt import BeltSpec
from treadpace_sim.fault_spec import Fault
from treadpace_sim.runner_footpod import FootpodSpec

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
    footpod: FootpodSpec | None = None
    """A Running Speed and Cadence footpod on the runner (None: no footpod)."""
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
