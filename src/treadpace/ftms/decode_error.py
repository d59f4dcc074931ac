"""The single error type every FTMS decoder raises on bytes it cannot make sense of.

Callers (the treadmill port, the simulator, the decode tool) catch exactly one
exception and never see IndexError, struct.error or UnicodeDecodeError.
"""

from __future__ import annotations


class FtmsDecodeError(ValueError):
    """Bytes that do not form a valid message. `str(err)` is one line naming the characteristic.

    `op` is the op code of a control-point request whose op byte was readable but whose
    parameter was not, so a server can answer `80 <op> 03` (Invalid Parameter).
    """

    def __init__(self, characteristic: str, problem: str, *, op: int | None = None) -> None:
        super().__init__(f"{characteristic}: {problem}")
        self.characteristic = characteristic
        self.problem = problem
        self.op = op
