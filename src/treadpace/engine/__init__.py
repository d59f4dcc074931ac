"""The async workout engine: a plan in, setpoints out, events to every sink."""

from treadpace.engine.config import EngineConfig
from treadpace.engine.engine import Engine
from treadpace.engine.events import (
    Command,
    EngineEvent,
    EventHub,
    RunFinished,
    RunState,
    Subscription,
)

__all__ = [
    "Command",
    "Engine",
    "EngineConfig",
    "EngineEvent",
    "EventHub",
    "RunFinished",
    "RunState",
    "Subscription",
]
