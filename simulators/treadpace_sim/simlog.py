"""The simulator's command log: what really happened to the belt, as JSON lines.

One object per line, flushed at once (a test may read the file right after the
process was killed): every Control Point write (`"event": "command"`), the belt
once per simulated second (`"event": "belt"`), console actions, faults and link
events. `t` is simulator seconds since `SimulatedTreadmill.start()`. A log that
cannot be written any more (a full disk) is one error line, and the simulator
goes on without it.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from treadpace.base.user_error import UserError

log = logging.getLogger(__name__)


class SimLog:
    """Appends records to a JSON-lines file, one flushed line each."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._file: IO[str] | None = path.open("w", encoding="utf-8")
        except OSError as exc:
            raise UserError(f"{path}: cannot write the sim log: {exc.strerror or exc}") from None

    def __call__(self, t: float, record: dict[str, object]) -> None:
        if self._file is None:
            return
        line = json.dumps({"t": round(t, 3), **record}, separators=(", ", ": "))
        try:
            self._file.write(line + "\n")
            self._file.flush()
        except OSError as exc:
            # A full disk must not break the treadmill it describes: say it once, go on.
            log.error("%s: the sim log stops here: %s", self.path, exc.strerror or exc)
            self.close()

    def close(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            with contextlib.suppress(OSError):  # the last buffered line on a full disk
                file.close()


def read_sim_log(path: Path) -> Iterator[dict[str, object]]:
    """The records of a sim log (for tests and tools); a torn last line is skipped."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue
