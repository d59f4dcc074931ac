"""What `treadpace run` needs for cues, in a few calls: the hub and the speaker.

A run on the virtual clock (tests, a dry run) takes no real time, so it says
nothing; `--quiet` and `cues: {voice: false, bell: false}` keep the cues on the
stream (MQTT, the journal, the live view's banner) without a sound.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from treadpace.cues.driver import CueHub
from treadpace.cues.speech import Speaker, espeak_command

if TYPE_CHECKING:
    from treadpace.base.clock import Clock
    from treadpace.plans.cue_settings import CuesSettings


def cue_hub(settings: CuesSettings, clock: Clock) -> CueHub:
    return CueHub(clock, settings.lead_s)


def speaker(
    settings: CuesSettings, *, quiet: bool, silent_clock: bool, terminal: bool
) -> Speaker | None:
    """The run's speaker, or None when nothing is to be heard."""
    if quiet or silent_clock:
        return None
    command = espeak_command(settings.language) if settings.voice else None
    bell = _ring if settings.bell and terminal else None
    if command is None and bell is None:
        return None
    return Speaker(command, bell=bell)


def _ring() -> None:
    # The real terminal, not sys.stdout: the live view redirects that and would turn
    # the bell into an empty line above the view.
    out = sys.__stdout__
    if out is not None:
        out.write("\a")
        out.flush()
