"""The profile's `cues:` section (pydantic; errors are one line like every profile field).

It lives with the profile that holds it (plans sit below cues), and imports only
pydantic and the plan number types.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from treadpace.plans.numbers import Whole

_LANGUAGE = re.compile(r"[a-z]{2,3}([-_][a-z0-9]{1,8})*")


class CuesSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    voice: bool = True
    """Speak the cues with espeak-ng when it is installed."""
    bell: bool = True
    """Ring the terminal bell for each cue when there is no voice."""
    lead_s: Whole = Field(default=10, ge=1, le=120)
    """Seconds of warning before a change (a 3-2-1 countdown follows)."""
    language: str = "en"
    """espeak-ng voice, e.g. "en", "en-us", "de" (the words stay English)."""

    @field_validator("language")
    @classmethod
    def _voice_name(cls, value: str) -> str:
        if not _LANGUAGE.fullmatch(value):
            raise ValueError(f'expected an espeak-ng voice such as "en" or "en-us", got "{value}"')
        return value
