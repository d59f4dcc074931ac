"""The async workout engine: a plan in, setpoints out, events to every sink.

The names are loaded when first used, so that importing the pure core
(`treadpace.engine.core`) does not load the async driver and asyncio with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
