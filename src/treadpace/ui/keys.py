"""Single key presses in the terminal, turned into engine commands.

space pauses or resumes (and stops or restarts the 3-2-1 countdown), `n` skips to
the next step, `+`/`-` nudge the speed, `b` switches the view's big digits on
and off, `q` asks "stop the run? (y/n)" and only `y` stops. Other keys can be
bound on top (`extra`: the simulated treadmill's console buttons with `run
--simulate`); they never shadow these. The terminal is
put in cbreak mode (keys arrive unbuffered; Ctrl+C still raises SIGINT) and
restored on close.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Awaitable, Callable, Mapping

from treadpace.engine.events import Command, RunState

Send = Callable[[Command, float | None], Awaitable[object]]

HELP = "space pause/resume · n next step · +/- nudge · b big digits · q stop"

RESERVED = frozenset(" nN+=-_bBqQyY")
"""Keys of treadpace's own controls (and the y of the stop question)."""


class KeyController:
    """Maps keys to commands; `prompt` is what the view should show (y/n question)."""

    def __init__(
        self,
        send: Send,
        state: Callable[[], RunState],
        extra: Mapping[str, Callable[[], None]] | None = None,
    ) -> None:
        self._send = send
        self._state = state
        clash = RESERVED.intersection(extra or {})
        if clash:
            raise ValueError(f"keys already taken: {''.join(sorted(clash))}")
        self._extra = dict(extra or {})
        self.prompt = ""
        self.big = False
        """The view's big digits (`b`): a view setting, no command."""
        self.stop_requested = False
        self._tasks: set[asyncio.Task[object]] = set()

    def press(self, key: str) -> None:
        if self.prompt:
            self.prompt = ""
            if key.lower() == "y":
                self.stop_requested = True
                self._fire(Command.STOP)
            return
        if key == " ":
            state = self._state()
            if state == RunState.READY:
                self._fire(Command.START)  # e.g. after space stopped the countdown
            else:
                self._fire(Command.RESUME if state == RunState.PAUSED else Command.PAUSE)
        elif key in ("n", "N"):
            self._fire(Command.SKIP)
        elif key in ("+", "="):
            self._fire(Command.NUDGE_UP)
        elif key in ("-", "_"):
            self._fire(Command.NUDGE_DOWN)
        elif key in ("b", "B"):
            self.big = not self.big
        elif key in ("q", "Q"):
            self.prompt = "stop the run? (y/n)"
        elif key in self._extra:
            self._extra[key]()

    async def _press(self, cmd: Command) -> None:
        await self._send(cmd, None)

    def _fire(self, cmd: Command) -> None:
        task = asyncio.create_task(self._press(cmd), name=f"key {cmd}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class TerminalKeys:
    """Feeds stdin key presses to a `KeyController` while the run lasts."""

    def __init__(self, controller: KeyController, on_key: Callable[[], None]) -> None:
        self.controller = controller
        self._on_key = on_key
        self._fd = sys.stdin.fileno()
        self._saved: list[object] | None = None

    def __enter__(self) -> TerminalKeys:
        import termios
        import tty

        self._saved = termios.tcgetattr(self._fd)
        tty.setcbreak(self._fd)
        asyncio.get_running_loop().add_reader(self._fd, self._read)
        return self

    def _read(self) -> None:
        try:
            data = os.read(self._fd, 32)
        except OSError:
            data = b""
        if not data:
            # The terminal hung up (end of input, or EIO): nothing more will come, and a
            # reader left on it would be called again and again.
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self._fd)
            return
        for ch in data.decode(errors="ignore"):
            self.controller.press(ch)
        self._on_key()

    def __exit__(self, *exc: object) -> None:
        import termios

        with contextlib.suppress(Exception):
            asyncio.get_running_loop().remove_reader(self._fd)
        if self._saved is not None:
            with contextlib.suppress(termios.error):
                termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)  # type: ignore[arg-type]
