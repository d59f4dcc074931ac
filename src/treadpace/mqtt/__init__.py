"""The run on MQTT: live telemetry, Home Assistant discovery, commands back.

Importing this package imports aiomqtt: the CLI imports it inside the `run`
command only, so `treadpace --help` stays fast.
"""

from treadpace.mqtt.bridge import MqttBridge, remove_discovery
from treadpace.mqtt.settings import MqttSettingsLike, TlsSettingsLike
from treadpace.mqtt.topics import Topics

__all__ = ["MqttBridge", "MqttSettingsLike", "TlsSettingsLike", "Topics", "remove_discovery"]
