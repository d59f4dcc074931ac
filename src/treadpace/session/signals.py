"""The signals that end a run the way Ctrl+C does, and what a hang-up does to the terminal.

They live with the session because the session installs the handlers; the CLI only
turns the signal that arrived into the shell's exit code.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat

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
