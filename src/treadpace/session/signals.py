"""The signals that end a run the way Ctrl+C does, and what a hang-up does to the terminal.

They live with the session because the session installs the handlers; the CLI only
turns the signal that arrived into the shell's exit code. Once the belt is confirmed
stopped a signal has nothing left to stop: `LateSignals` notes it, so the recording,
the exports and the report still finish and the first signal's exit code stands
(without it Python's own handlers would cut them off: a traceback-less exit 130, or
SIGTERM killing the process outright).
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

EXIT_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
"""Every signal that ends a run the way Ctrl+C does: the belt is stopped, the journal closed.

SIGHUP is the terminal closing (an SSH drop, a killed tmux session), SIGQUIT Ctrl+\\.
"""


def signal_name(signum: int) -> str:
    return signal.Signals(signum).name


def forget_a_hung_up_terminal(signum: int) -> None:
    """After SIGHUP the terminal is gone: what is left to print goes nowhere.

    Without this the first print after the hang-up fails (EIO) and the run's end
    (the summary, the exports, the exit code) is lost to a traceback nobody sees.
    Pipes and files are left alone: only a terminal hangs up.
    """
    if signum != signal.SIGHUP:
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in (1, 2):
            with contextlib.suppress(OSError):
                # A hung-up terminal no longer passes isatty(): a character device it is.
                if stat.S_ISCHR(os.fstat(fd).st_mode):
                    os.dup2(devnull, fd)
    finally:
        os.close(devnull)


Handler = Callable[[int, FrameType | None], Any] | int | None


class LateSignals:
    """The exit signals noted, not obeyed, from `catch` until the `with` block is left.

    The command holds it around the whole run and its report; the session calls
    `catch` once the engine is done and its own handlers are gone.
    """

    def __init__(self) -> None:
        self._previous: dict[int, Handler] = {}
        self._received: list[int] = []

    def __enter__(self) -> LateSignals:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def catch(self, received: list[int]) -> None:
        """From now on an exit signal is appended to `received` and said on stderr."""
        self._received = received
        for signum in EXIT_SIGNALS:
            previous = signal.signal(signum, self._note)
            self._previous.setdefault(signum, previous)

    def release(self) -> None:
        """Put back what was there before `catch`."""
        for signum, previous in self._previous.items():
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)
        self._previous.clear()

    def _note(self, signum: int, _frame: FrameType | None) -> None:
        self._received.append(signum)
        forget_a_hung_up_terminal(signum)
        line = f"{signal_name(signum)}: the run has ended; saving the recording first\n"
        # os.write, not print: the handler may land in the middle of a print to stderr.
        with contextlib.suppress(OSError):
            os.write(2, line.encode())
