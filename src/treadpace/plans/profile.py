"""The runner's profile: who runs (paces, units, heart rate) and on what (limits, treadmill).

Paces are given explicitly (`paces: {easy: "6:30/km", ...}`) or derived from a
recent race (`race: {distance: 5k, time: "25:00"}`) with the VDOT model; given
paces override derived ones. Once validated, `Profile.paces` holds every named
pace in seconds per km, so plans never see the spelling the runner used.

`MqttSettings` mirrors the fields the MQTT bridge reads (its structural
Protocol in `treadpace.mqtt.settings`); plans must not import mqtt, so the
model is defined here with the same names.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from treadpace.base.listen import DEFAULT_LISTEN, host_name, parse_listen
from treadpace.base.paths import data_dir
from treadpace.base.topic_prefix import prefix_problem
from treadpace.base.units import KMH_PER_MPH
from treadpace.plans.broadcast_settings import BroadcastSettings
from treadpace.plans.cue_settings import CuesSettings
from treadpace.plans.models import Metres, Percent, Seconds
from treadpace.plans.numbers import Number, Whole
from treadpace.plans.paces import PACE_NAMES, parse_pace, parse_percent, parse_speed
from treadpace.plans.sync_settings import SyncSettings
from treadpace.plans.true_pace_settings import FootpodSettings, TruePaceSettings
from treadpace.plans.vdot import TrainingPaces, training_paces, vdot_from_race
from treadpace.plans.yaml_document import FieldError, describe_error
from treadpace.plans.zones import ZoneMethod, tanaka_max_bpm, zone_bounds

_FORBID = ConfigDict(extra="forbid")

REQUIRED_PACES = ("easy", "marathon", "threshold", "interval")
MAX_SPEED_KMH = 40.0
MAX_INCLINE_PERCENT = 40.0
DEFAULT_RACE = {"distance": "5k", "time": "25:00"}


class RaceResult(BaseModel):
    """A recent race: `{distance: 5k, time: "25:00"}`."""

    model_config = _FORBID

    distance: Metres = Field(description='"5k", "10 km", "half", "marathon", "1 mi", ...')
    time: Seconds = Field(description='Finish time, e.g. "25:00" or "1:55:03".')

    @property
    def vdot(self) -> float:
        return vdot_from_race(self.distance, self.time)


class Paces(BaseModel):
    """Every named training pace in seconds per km (resolved)."""

    model_config = _FORBID

    easy: Number = Field(gt=0)
    marathon: Number = Field(gt=0)
    threshold: Number = Field(gt=0)
    interval: Number = Field(gt=0)
    repetition: Number = Field(gt=0)
    steady: Number = Field(gt=0)
    easy_min: Number | None = None
    """Fast end of the E range when derived from a race."""
    easy_max: Number | None = None
    """Slow end of the E range when derived from a race."""

    def named(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in PACE_NAMES}


class HeartRateSettings(BaseModel):
    model_config = _FORBID

    max_bpm: Number | None = Field(default=None, gt=80, lt=250)
    """Measured maximum; when absent and `age` is given, Tanaka's 208 - 0.7 x age."""
    rest_bpm: Number | None = Field(default=None, gt=20, lt=150)
    age: Whole | None = Field(default=None, ge=5, le=110)
    zones: ZoneMethod = "percent_max"
    """How zone bounds are computed: `percent_max` (%HRmax) or `karvonen` (%HRR)."""
    strap: str | None = None
    """Bluetooth address or name of a heart-rate strap (0x180D) to read during runs."""

    @model_validator(mode="after")
    def _fill(self) -> HeartRateSettings:
        if self.max_bpm is None and self.age is not None:
            self.max_bpm = tanaka_max_bpm(self.age)
        if self.zones == "karvonen" and self.max_bpm is not None and self.rest_bpm is None:
            raise ValueError("expected rest_bpm as well for karvonen zones")
        if self.max_bpm is not None and self.rest_bpm is not None and self.rest_bpm >= self.max_bpm:
            raise ValueError("expected rest_bpm below max_bpm")
        return self

    def bounds(self) -> tuple[int, ...] | None:
        """The six zone bounds (zone 1 low .. zone 5 high), or None without a max."""
        if self.max_bpm is None:
            return None
        return zone_bounds(self.max_bpm, self.rest_bpm, self.zones)


class TreadmillSettings(BaseModel):
    model_config = _FORBID

    address: str | None = None
    """Bluetooth address to pin (e.g. "AA:BB:CC:DD:EE:FF")."""
    name: str | None = None
    """Advertised name to pin, when the address is not known."""
    incline_offset_percent: Percent = Field(default=0.0, ge=-40, le=40)
    """Added to every step's incline (1 % is the usual outdoor-effort tweak)."""
    simulator_model: str = "generic"


ExportFormat = Literal["fit", "tcx", "csv"]


def _default_exports() -> list[ExportFormat]:
    return ["fit", "tcx"]


class RecordingSettings(BaseModel):
    model_config = _FORBID

    directory: Path = Field(default_factory=lambda: data_dir() / "runs")
    auto_export: list[ExportFormat] = Field(default_factory=_default_exports)

    @field_validator("directory")
    @classmethod
    def _home(cls, value: Path) -> Path:
        try:
            return value.expanduser()
        except RuntimeError:  # "~someone" for a user that does not exist
            raise ValueError(f'expected a directory path, got "{value}"') from None


class TlsSettings(BaseModel):
    model_config = _FORBID

    ca_file: Path | None = None
    certfile: Path | None = None
    keyfile: Path | None = None


class MqttSettings(BaseModel):
    """Field names match `treadpace.mqtt.settings.MqttSettingsLike`."""

    model_config = _FORBID

    enabled: bool = False
    host: str = "localhost"
    port: Whole = Field(default=1883, ge=1, le=65535)
    base_topic: str = "treadpace"
    client_id: str | None = None
    username: str | None = None
    password: SecretStr | None = None
    tls: TlsSettings | None = None
    """`true` for TLS with the system's CA store, or a mapping of files."""
    discovery: bool = True
    discovery_prefix: str = "homeassistant"
    allow_remote_start: bool = False
    keepalive: Whole = Field(default=30, ge=1, le=3600)

    @field_validator("base_topic", "discovery_prefix")
    @classmethod
    def _topic_prefix(cls, value: str) -> str:
        problem = prefix_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("tls", mode="before")
    @classmethod
    def _tls_flag(cls, value: Any) -> Any:
        if value is True:
            return {}
        if value is False:
            return None
        return value


class WebSettings(BaseModel):
    """The live page (`treadpace.web`): off unless asked for, loopback unless told otherwise."""

    model_config = _FORBID

    enabled: bool = False
    listen: str = DEFAULT_LISTEN
    """HOST:PORT; anything but loopback gets a random token per run."""
    allow_hosts: list[str] = Field(default_factory=list)
    """Host names the page may also be reached by (`treadmill.local`, a proxy's name):
    the page answers only requests naming this machine (loopback, its address, these)."""

    @field_validator("listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        parse_listen(value)
        return value

    @field_validator("allow_hosts")
    @classmethod
    def _allow_hosts(cls, value: list[str]) -> list[str]:
        return [host_name(name) for name in value]


class Profile(BaseModel):
    """A runner. Build with `load_profile`, or `Profile.model_validate(mapping)`."""

    model_config = _FORBID

    name: str = "runner"
    units: Literal["metric", "imperial"] = "metric"
    race: RaceResult | None = None
    paces: Paces
    vdot: Number | None = None
    """Derived from `race`; None when paces were given without one."""
    longest_run: Seconds | None = None
    """The longest run of the last 30 days, anywhere (a program's spike guard starts there)."""
    max_speed_kmh: Number = Field(default=16.0, gt=0, le=MAX_SPEED_KMH)
    max_incline_percent: Number = Field(default=10.0, ge=0, le=MAX_INCLINE_PERCENT)
    heart_rate: HeartRateSettings = Field(default_factory=lambda: HeartRateSettings())
    treadmill: TreadmillSettings = Field(default_factory=lambda: TreadmillSettings())
    manual_change: Literal["offset", "hold"] = "offset"
    recording: RecordingSettings = Field(default_factory=lambda: RecordingSettings())
    mqtt: MqttSettings = Field(default_factory=lambda: MqttSettings())
    web: WebSettings = Field(default_factory=lambda: WebSettings())
    broadcast: BroadcastSettings = Field(default_factory=lambda: BroadcastSettings())
    footpod: FootpodSettings | None = None
    """A Running Speed and Cadence footpod to pin (address or name)."""
    true_pace: TruePaceSettings = Field(default_factory=lambda: TruePaceSettings())
    cues: CuesSettings = Field(default_factory=lambda: CuesSettings())
    sync: SyncSettings = Field(default_factory=lambda: SyncSettings())

    _is_default: bool = PrivateAttr(default=False)

    @property
    def imperial(self) -> bool:
        return self.units == "imperial"

    @property
    def is_default(self) -> bool:
        """True for the built-in profile used when the runner has none."""
        return self._is_default

    @model_validator(mode="before")
    @classmethod
    def _resolve(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        imperial = data.get("units") == "imperial"
        _friendly_limits(data, imperial)
        if isinstance(data.get("paces"), Paces):
            return data
        race = data.get("race")
        derived: TrainingPaces | None = None
        if race is not None:
            parsed = _sub_model(RaceResult, race, ("race",), info.context)
            try:
                derived = training_paces(parsed.vdot)
            except ValueError as exc:
                raise FieldError(("race",), str(exc)) from None
            data["race"] = parsed
            data["vdot"] = derived.vdot
        elif "vdot" in data:
            raise FieldError(("vdot",), "expected race: instead (vdot is derived from it)")
        data["paces"] = _resolve_paces(data.get("paces"), derived, imperial)
        return data


def _sub_model(
    model: type[RaceResult], value: Any, loc: tuple[str, ...], context: Any
) -> RaceResult:
    try:
        return model.model_validate(value, context=context)
    except ValidationError as exc:
        sub, msg = describe_error(exc.errors()[0], frozenset())
        raise FieldError((*loc, *sub), msg) from None


def _friendly_limits(data: dict[str, Any], imperial: bool) -> None:
    """`max_speed: 10 mph` / `max_speed: 16` (runner's units), `max_incline: 12%`.

    The limits are checked here, against what the runner wrote: once converted,
    an error would name `max_speed_kmh`, a field that is not in the file.
    """
    if "max_speed" in data:
        if "max_speed_kmh" in data:
            raise FieldError(("max_speed",), "expected max_speed or max_speed_kmh, not both")
        value = data.pop("max_speed")
        if isinstance(value, int | float) and not isinstance(value, bool):
            kmh = float(value) * (KMH_PER_MPH if imperial else 1.0)
            shown = f"{value:g} {'mph' if imperial else 'km/h'}"
        else:
            try:
                kmh = parse_speed(value)
            except ValueError as exc:
                raise FieldError(("max_speed",), str(exc)) from None
            shown = f'"{value}"'
        if not (math.isfinite(kmh) and 0 < kmh <= MAX_SPEED_KMH):
            raise FieldError(
                ("max_speed",),
                f"expected a speed above zero and at most {MAX_SPEED_KMH:g} km/h "
                f"({MAX_SPEED_KMH / KMH_PER_MPH:.1f} mph), got {shown}",
            )
        data["max_speed_kmh"] = kmh
    if "max_incline" in data:
        if "max_incline_percent" in data:
            raise FieldError(
                ("max_incline",), "expected max_incline or max_incline_percent, not both"
            )
        try:
            percent = parse_percent(data.pop("max_incline"))
        except ValueError as exc:
            raise FieldError(("max_incline",), str(exc)) from None
        if not 0 <= percent <= MAX_INCLINE_PERCENT:
            raise FieldError(
                ("max_incline",),
                f"expected an incline from 0 to {MAX_INCLINE_PERCENT:g} %, got {percent:g} %",
            )
        data["max_incline_percent"] = percent


def _resolve_paces(raw: Any, derived: TrainingPaces | None, imperial: bool) -> dict[str, Any]:
    explicit: dict[str, float] = {}
    if raw is not None:
        if not isinstance(raw, dict):
            raise FieldError(
                ("paces",), 'expected a mapping of pace names to paces, e.g. easy: "6:30/km"'
            )
        for key, value in raw.items():
            if key not in PACE_NAMES:
                raise FieldError(
                    ("paces", key), f"unknown key; expected one of: {', '.join(PACE_NAMES)}"
                )
            try:
                expr = parse_pace(value)
            except ValueError as exc:
                raise FieldError(("paces", key), str(exc)) from None
            if expr.name is not None:
                raise FieldError(
                    ("paces", key),
                    f'expected an absolute pace like "6:30/km" or "8:30/mi", got "{expr.text}"',
                )
            explicit[key] = 3600.0 / expr.speed_kmh({}, imperial)
    if derived is None:
        missing = [n for n in REQUIRED_PACES if n not in explicit]
        if missing:
            loc: tuple[str, ...] = ("paces", missing[0]) if raw is not None else ("paces",)
            raise FieldError(
                loc,
                f"expected paces for {', '.join(missing)} (or a race: result to derive them from)",
            )
        named: dict[str, float] = dict(explicit)
        named.setdefault("repetition", named["interval"] - 15.0)  # 6 s per 400 m faster
    else:
        named = {**derived.named(), **explicit}
        if "repetition" not in explicit and "interval" in explicit:
            named["repetition"] = explicit["interval"] - 2.5 * (
                derived.interval * 0.4 - derived.repetition * 0.4
            )
    if "steady" not in explicit:
        named["steady"] = (named["easy"] + named["marathon"]) / 2.0
    if named["repetition"] <= 0 and "repetition" not in explicit:
        # Derived from interval: the runner wrote interval, not repetition.
        raise FieldError(
            ("paces", "interval"),
            "expected a realistic interval pace "
            "(the repetition pace derived from it would be below zero)",
        )
    order = ("easy", "marathon", "threshold", "interval", "repetition")
    for slower, faster in itertools.pairwise(order):
        if named[faster] > named[slower]:
            bad = faster if faster in explicit else slower
            raise FieldError(("paces", bad), f"expected {faster} to be faster than {slower}")
    out: dict[str, Any] = dict(named)
    if derived is not None and "easy" not in explicit:
        out["easy_min"] = derived.easy_min
        out["easy_max"] = derived.easy_max
    return out


def default_profile() -> Profile:
    """The built-in runner: metric, paces from a 25:00 5K."""
    profile = Profile.model_validate({"name": "default", "race": dict(DEFAULT_RACE)})
    profile._is_default = True
    return profile
