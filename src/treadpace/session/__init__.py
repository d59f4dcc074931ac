"""One guided run as an object: the engine, the treadmill and every sink, wired and torn down.

The CLI used to hold all of this in one long coroutine, so the order that keeps the
belt safe (signals first, the engine's own stop, then the sinks, the radio, the
link) could only be tested through a subprocess. `RunSession` keeps that order in
one place below the CLI and returns a typed `RunOutcome`; the command only parses
options, builds the parts, and maps the outcome to an exit code.
"""

from __future__ import annotations

from treadpace.session.run_session import RunSession
from treadpace.session.setup_outcome import RunOutcome, SessionSetup

__all__ = ["RunOutcome", "RunSession", "SessionSetup"]
