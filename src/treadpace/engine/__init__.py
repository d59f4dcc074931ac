"""The async workout engine: a plan in, setpoints out, events to every sink.

The names are loaded when first used, so that importing the pure core
(`treadpace.engine.core`) does not load the async driver and asyncio with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from treadpace.base.lazy_names import lazy_names

if TYPE_CHECKING:
    from treadpace.engine.config import EngineConfig
    from treadpace.engine.engine import Engine
    from treadpace.engine.events import Command, EngineEvent, RunFinished, RunState
    from treadpace.engine.hub import EventHub, Subscription

_HOME = {
    "Command": "events",
    "Engine": "engine",
    "EngineConfig": "config",
    "EngineEvent": "events",
    "EventHub": "hub",
    "RunFinished": "events",
    "RunState": "events",
    "Subscription": "hub",
}

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

__getattr__, __dir__ = lazy_names(__name__, _HOME)
