"""What a treadmill says it can do, read once per connection and sanity-checked.

Feature, Supported Speed Range, Supported Inclination Range and a Training Status
baseline are read at every (re)connect. Real machines report ranges that cannot be
true (inverted, zero increment, 655 km/h) or refuse a read; none of that stops a
run: an unusable speed range falls back to `FALLBACK_SPEED_RANGE`, an unusable
inclination range turns incline control off, and the reason is logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from treadpace.ftms import (
    FEATURE,
    INCLINATION_RANGE,
    SPEED_RANGE,
    TRAINING_STATUS,
    Feature,
    FtmsDecodeError,
    InclinationRange,
    SpeedRange,
    TargetFeature,
    decode_feature,
    decode_inclination_range,
    decode_speed_range,
    decode_training_status,
)
from treadpace.treadmill.port import GattLink, NotConnected, TreadmillError

log = logging.getLogger(__name__)

# Used when a machine reports no speed range, or one that cannot be true.
FALLBACK_SPEED_RANGE = SpeedRange(min_kmh=0.8, max_kmh=16.0, increment_kmh=0.1)
PLAUSIBLE_MAX_KMH = 30.0


@dataclass(frozen=True)
class Capabilities:
    features: Feature | None
    speed_range: SpeedRange
    incline_range: InclinationRange | None
    training_status: tuple[int, str | None] | None
    """The Training Status (code, text) read as a baseline, when readable."""


async def read_capabilities(link: GattLink, known: Feature | None = None) -> Capabilities:
    """Read and check the machine's ranges; `known` features stand when the read fails."""
    features = _features(await _read_optional(link, FEATURE, "feature"))
    if features is None:
        features = known
    speed_range = _speed_range(await _read_optional(link, SPEED_RANGE, "speed range"))
    raw = await _read_optional(link, INCLINATION_RANGE, "inclination range")
    can_incline = features is None or bool(features.target & TargetFeature.INCLINATION_TARGET)
    incline_range = _incline_range(link.name, raw) if can_incline else None
    raw = await _read_optional(link, TRAINING_STATUS, "training status")
    return Capabilities(features, speed_range, incline_range, _training_status(raw))


async def _read_optional(link: GattLink, uuid: str, what: str) -> bytes | None:
    """A characteristic's value, or None when absent or refused (an ATT error)."""
    if not link.has_characteristic(uuid):
        return None
    try:
        return await link.read(uuid)
    except NotConnected:
        raise
    except TreadmillError as exc:
        log.warning("could not read the %s (%s); treating it as absent", what, exc)
        return None


def _features(raw: bytes | None) -> Feature | None:
    if raw is None:
        return None
    try:
        return decode_feature(raw)
    except FtmsDecodeError as exc:
        log.warning("ignoring unreadable feature: %s", exc)
        return None


def _speed_range(raw: bytes | None) -> SpeedRange:
    if raw is None:
        return FALLBACK_SPEED_RANGE
    try:
        reported = decode_speed_range(raw)
    except FtmsDecodeError as exc:
        # Inverted, zero increment or short: the decoder refuses it.
        log.warning("speed range unusable (%s); using %s", exc, FALLBACK_SPEED_RANGE)
        return FALLBACK_SPEED_RANGE
    if 0 <= reported.min_kmh < reported.max_kmh <= PLAUSIBLE_MAX_KMH:
        return reported
    log.warning("implausible speed range %s; using the fallback", reported)
    return FALLBACK_SPEED_RANGE


def _incline_range(name: str, raw: bytes | None) -> InclinationRange | None:
    if raw is None:
        return None
    try:
        rng = decode_inclination_range(raw)
    except FtmsDecodeError as exc:
        log.warning("inclination range unusable (%s); incline control off", exc)
        return None
    if rng.no_incline:
        log.info("%s reports no incline (all-zero inclination range)", name)
    return rng if rng.min_percent < rng.max_percent else None


def _training_status(raw: bytes | None) -> tuple[int, str | None] | None:
    # A baseline, so that only real changes become events; absent or odd is fine (Q15).
    if raw is None:
        return None
    try:
        status = decode_training_status(raw)
    except FtmsDecodeError as exc:
        log.info("ignoring unreadable training status: %s", exc)
        return None
    return (status.status, status.text or None)
