"""How loud a notice is (`Notice.level`): a closed set, so a view decides on it, never on words.

A StrEnum whose values are the strings journals, MQTT and the live page have always
carried ("info", "warning", "error"): old journals read as before and new lines are
written unchanged. It sits below the engine, beside `errors` and `display`, so the
engine's events and every sink that reads them share the one definition.
"""

from __future__ import annotations

import enum


class NoticeLevel(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    """About the belt or the run's end (e.g. a stop not confirmed): it stays on screen."""

    @classmethod
    def read(cls, value: object) -> NoticeLevel:
        """A level from a journal or a message; one this version does not know is a warning."""
        if isinstance(value, str) and value in cls.__members__.values():
            return cls(value)
        return cls.WARNING
