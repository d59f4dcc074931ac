"""Every topic the bridge touches, derived once from the settings.

Layout under the base topic (default `treadpace`):

    <base>/availability       online | offline (retained; the last will says offline)
    <base>/state              idle, ready, countdown, running, paused, finished, aborted
                              (retained)
    <base>/telemetry          JSON, 1 Hz of run time while a run is active
    <base>/event              JSON, one message per step change, notice or run end
    <base>/command/<name>     pause, resume, skip, stop, nudge, nudge_up, nudge_down, start

Home Assistant discovery configs go to
`<discovery_prefix>/<component>/<node_id>/<object_id>/config`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from treadpace.base.topic_prefix import prefix_problem
from treadpace.base.user_error import UserError
from treadpace.mqtt.settings import MqttSettingsLike

_NODE_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def _check_topic(field: str, value: str) -> str:
    problem = prefix_problem(value)
    if problem is not None:
        raise UserError(f"mqtt.{field}: {problem}")
    return value.strip().strip("/")


def node_id_for(base_topic: str) -> str:
    """A discovery-safe id from the base topic: two bridges with two bases never collide."""
    return _NODE_ID_UNSAFE.sub("_", base_topic).strip("_") or "treadpace"


@dataclass(frozen=True)
class Topics:
    base: str
    discovery_prefix: str
    node_id: str

    @classmethod
    def from_settings(cls, settings: MqttSettingsLike) -> Topics:
        base = _check_topic("base_topic", settings.base_topic)
        prefix = _check_topic("discovery_prefix", settings.discovery_prefix)
        return cls(base=base, discovery_prefix=prefix, node_id=node_id_for(base))

    @property
    def availability(self) -> str:
        return f"{self.base}/availability"

    @property
    def state(self) -> str:
        return f"{self.base}/state"

    @property
    def telemetry(self) -> str:
        return f"{self.base}/telemetry"

    @property
    def event(self) -> str:
        return f"{self.base}/event"

    @property
    def command_prefix(self) -> str:
        return f"{self.base}/command/"

    @property
    def command_filter(self) -> str:
        return f"{self.base}/command/+"

    def command(self, name: str) -> str:
        return f"{self.command_prefix}{name}"

    @property
    def ha_status(self) -> str:
        """Home Assistant's birth/last-will topic: "online" means it restarted."""
        return f"{self.discovery_prefix}/status"

    def discovery(self, component: str, object_id: str) -> str:
        return f"{self.discovery_prefix}/{component}/{self.node_id}/{object_id}/config"
