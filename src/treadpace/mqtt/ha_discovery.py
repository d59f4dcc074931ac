"""Home Assistant MQTT discovery: one device, its sensors and its buttons.

Each entity is one retained JSON config on
`<discovery_prefix>/<component>/<node_id>/<object_id>/config`; an empty
retained payload on the same topic removes it. Sensors read the telemetry JSON
through a `value_template`; buttons publish "PRESS" on a command topic. Home
Assistant has no pace or heart-rate device class, so those carry a unit (or
none) and no class. The start button exists only when the profile allows a
remote start; otherwise its config is actively removed so an old one cannot
linger.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from treadpace import __version__
from treadpace.engine.events import RunState
from treadpace.mqtt.topics import Topics


@dataclass(frozen=True)
class SensorSpec:
    object_id: str
    name: str
    field: str
    """Key in the telemetry JSON."""
    unit: str | None = None
    device_class: str | None = None
    state_class: str | None = None
    icon: str | None = None
    precision: int | None = None


SENSORS: tuple[SensorSpec, ...] = (
    SensorSpec("speed", "Speed", "speed_kmh", "km/h", "speed", "measurement", "mdi:speedometer", 1),
    SensorSpec(
        "target_speed",
        "Target speed",
        "target_speed_kmh",
        "km/h",
        "speed",
        "measurement",
        "mdi:speedometer-medium",
        1,
    ),
    SensorSpec("pace", "Pace", "pace", icon="mdi:timer-outline"),
    SensorSpec(
        "pace_seconds",
        "Pace (s/km)",
        "pace_s_per_km",
        "s/km",
        None,
        "measurement",
        "mdi:timer-outline",
        0,
    ),
    SensorSpec(
        "distance",
        "Distance",
        "distance_m",
        "m",
        "distance",
        "total_increasing",
        "mdi:map-marker-distance",
        0,
    ),
    SensorSpec(
        "incline", "Incline", "incline_percent", "%", None, "measurement", "mdi:slope-uphill", 1
    ),
    SensorSpec(
        "heart_rate",
        "Heart rate",
        "heart_rate_bpm",
        "bpm",
        None,
        "measurement",
        "mdi:heart-pulse",
        0,
    ),
    SensorSpec("elapsed", "Elapsed", "elapsed_s", "s", "duration", "measurement", "mdi:timer", 0),
    SensorSpec("step", "Step", "step", icon="mdi:format-list-numbered"),
    SensorSpec("step_number", "Step number", "step_number", icon="mdi:numeric"),
    SensorSpec("step_remaining", "Step remaining", "step_remaining_display", icon="mdi:timer-sand"),
    SensorSpec(
        "progress",
        "Plan progress",
        "progress_percent",
        "%",
        None,
        "measurement",
        "mdi:progress-clock",
        0,
    ),
    SensorSpec(
        "energy", "Energy", "energy_kcal", "kcal", "energy", "total_increasing", "mdi:fire", 0
    ),
)

BUTTONS: tuple[tuple[str, str, str], ...] = (
    # (command name, entity name, icon)
    ("pause", "Pause", "mdi:pause"),
    ("resume", "Resume", "mdi:play"),
    ("skip", "Skip step", "mdi:skip-next"),
    ("stop", "Stop", "mdi:stop"),
    ("nudge_up", "Faster", "mdi:plus"),
    ("nudge_down", "Slower", "mdi:minus"),
)
START_BUTTON = ("start", "Start", "mdi:run")

PRESS = "PRESS"


def device_block(topics: Topics, device_name: str) -> dict[str, Any]:
    return {
        "identifiers": [f"treadpace_{topics.node_id}"],
        "name": device_name,
        "manufacturer": "treadpace",
        "model": "treadpace",
        "sw_version": __version__,
    }


def _common(topics: Topics, device_name: str, object_id: str, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "unique_id": f"treadpace_{topics.node_id}_{object_id}",
        "device": device_block(topics, device_name),
        "origin": {"name": "treadpace", "sw_version": __version__},
        "availability_topic": topics.availability,
        "payload_available": "online",
        "payload_not_available": "offline",
    }


def _sensor(topics: Topics, device_name: str, spec: SensorSpec) -> dict[str, Any]:
    config = _common(topics, device_name, spec.object_id, spec.name)
    config["state_topic"] = topics.telemetry
    # A JSON null renders as "None", which Home Assistant reads as "unknown".
    config["value_template"] = f"{{{{ value_json.{spec.field} }}}}"
    for key, value in (
        ("unit_of_measurement", spec.unit),
        ("device_class", spec.device_class),
        ("state_class", spec.state_class),
        ("icon", spec.icon),
        ("suggested_display_precision", spec.precision),
    ):
        if value is not None:
            config[key] = value
    return config


def _state_sensor(topics: Topics, device_name: str) -> dict[str, Any]:
    config = _common(topics, device_name, "state", "Run state")
    config["state_topic"] = topics.state
    config["device_class"] = "enum"
    config["options"] = [s.value for s in RunState]
    config["icon"] = "mdi:run-fast"
    return config


def _button(topics: Topics, device_name: str, command: str, name: str, icon: str) -> dict[str, Any]:
    config = _common(topics, device_name, command, name)
    config["command_topic"] = topics.command(command)
    config["payload_press"] = PRESS
    config["qos"] = 1
    config["retain"] = False
    config["icon"] = icon
    return config


def discovery_configs(
    topics: Topics, device_name: str, *, allow_remote_start: bool
) -> list[tuple[str, dict[str, Any] | None]]:
    """Every discovery topic with its config, or None where the entity must be removed."""
    out: list[tuple[str, dict[str, Any] | None]] = [
        (topics.discovery("sensor", "state"), _state_sensor(topics, device_name))
    ]
    out += [
        (topics.discovery("sensor", spec.object_id), _sensor(topics, device_name, spec))
        for spec in SENSORS
    ]
    out += [
        (topics.discovery("button", command), _button(topics, device_name, command, name, icon))
        for command, name, icon in BUTTONS
    ]
    start_topic = topics.discovery("button", START_BUTTON[0])
    out.append(
        (start_topic, _button(topics, device_name, *START_BUTTON) if allow_remote_start else None)
    )
    return out


def discovery_topics(topics: Topics) -> list[str]:
    """Every config topic the bridge may ever have published (for removal)."""
    return [topic for topic, _ in discovery_configs(topics, "", allow_remote_start=True)]
