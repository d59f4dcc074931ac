"""The software treadmill's GATT surface: which characteristics a model has, and the
values that never change while it runs (Feature, ranges, Device Information).

Derived once from the model; the server keeps the live state (Training Status,
subscriptions) and answers reads from these tables.
"""

from __future__ import annotations

from typing import Final

from treadpace.ftms import (
    CONTROL_POINT,
    DEVICE_INFORMATION,
    FEATURE,
    FIRMWARE_REVISION,
    FTMS_SERVICE,
    HEART_RATE_MEASUREMENT,
    HEART_RATE_SERVICE,
    INCLINATION_RANGE,
    MACHINE_STATUS,
    MANUFACTURER_NAME,
    MODEL_NUMBER,
    SPEED_RANGE,
    TRAINING_STATUS,
    TREADMILL_DATA,
    Feature,
    InclinationRange,
    MachineFeature,
    MachineType,
    ServiceData,
    SpeedRange,
    TargetFeature,
    encode_feature,
    encode_inclination_range,
    encode_service_data,
    encode_speed_range,
)
from treadpace_sim.model import TreadmillModel

SERVICE_OF: Final = {
    FEATURE: FTMS_SERVICE,
    TREADMILL_DATA: FTMS_SERVICE,
    TRAINING_STATUS: FTMS_SERVICE,
    SPEED_RANGE: FTMS_SERVICE,
    INCLINATION_RANGE: FTMS_SERVICE,
    CONTROL_POINT: FTMS_SERVICE,
    MACHINE_STATUS: FTMS_SERVICE,
    MANUFACTURER_NAME: DEVICE_INFORMATION,
    MODEL_NUMBER: DEVICE_INFORMATION,
    FIRMWARE_REVISION: DEVICE_INFORMATION,
    HEART_RATE_MEASUREMENT: HEART_RATE_SERVICE,
}

# Fitness Machine service data (ftms.md §1.2): available, a treadmill (01 01 00)
_SERVICE_DATA: Final = encode_service_data(ServiceData(True, MachineType.TREADMILL))


def characteristics_of(model: TreadmillModel) -> dict[str, frozenset[str]]:
    """UUID -> properties ("read", "write", "notify", "indicate") for this model."""
    m = model
    chars: dict[str, frozenset[str]] = {
        FEATURE: frozenset({"read"}),
        TREADMILL_DATA: frozenset({"notify"}),
        MANUFACTURER_NAME: frozenset({"read"}),
        MODEL_NUMBER: frozenset({"read"}),
        FIRMWARE_REVISION: frozenset({"read"}),
    }
    if m.training_status:
        chars[TRAINING_STATUS] = frozenset({"read", "notify"})
    if m.heart_rate_service:
        chars[HEART_RATE_MEASUREMENT] = frozenset({"notify"})
    if m.has_control_point:
        chars[CONTROL_POINT] = frozenset({"write", m.control_point})
        chars[MACHINE_STATUS] = frozenset({"notify"})
        if m.speed_target != "absent":
            chars[SPEED_RANGE] = frozenset({"read"})
        if (m.belt.has_incline and m.incline_target != "absent") or m.incline_range_zeros:
            chars[INCLINATION_RANGE] = frozenset({"read"})
    return chars


def fixed_values(model: TreadmillModel) -> dict[str, bytes]:
    """What a read of each unchanging characteristic returns."""
    machine, target = model.feature_bits()
    lo, hi, inc = model.wire_speed_range()
    ilo, ihi, iinc = model.wire_incline_range()
    return {
        FEATURE: encode_feature(Feature(MachineFeature(machine), TargetFeature(target))),
        SPEED_RANGE: encode_speed_range(SpeedRange(lo / 100, hi / 100, inc / 100)),
        INCLINATION_RANGE: encode_inclination_range(
            InclinationRange(ilo / 10, ihi / 10, iinc / 10)
        ),
        MANUFACTURER_NAME: model.manufacturer.encode(),
        MODEL_NUMBER: model.model_number.encode(),
        FIRMWARE_REVISION: model.firmware.encode(),
    }


def advertisement_of(model: TreadmillModel) -> tuple[str | None, list[str], dict[str, bytes]]:
    """(local name, service UUIDs, service data) as the machine advertises (ftms.md §1.2)."""
    name = model.local_name or None
    uuids = [FTMS_SERVICE] + ([HEART_RATE_SERVICE] if model.heart_rate_service else [])
    return name, uuids, {FTMS_SERVICE: _SERVICE_DATA}
