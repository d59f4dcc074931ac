"""Control-point procedures: one at a time, each answer matched to its request.

FTMS allows one procedure in flight: write a request, wait for `80 <op> <result>`,
only then write the next (ftms.md §4.3). Real machines answer by notification
instead of indication, answer twice, answer late, or not at all (§8 Q5), so a
response is matched by its request op code, anything else is logged and dropped,
and the wait is bounded on the injected clock. What a silence means (granted,
unknown) is the caller's decision; this module only reports it.
"""

from __future__ import annotations

import asyncio
import logging

from treadpace.base.clock import Clock, ClockTimeout, wait_for
from treadpace.ftms import (
    CONTROL_POINT,
    ControlOp,
    ControlRequest,
    ControlResponse,
    FtmsDecodeError,
    ResultCode,
    code_name,
    decode_control_response,
    encode_control_request,
    request_op,
)
from treadpace.treadmill.port import ControlTimeout, GattLink, NotConnected, TreadmillError

log = logging.getLogger(__name__)


def op_name(op: int) -> str:
    return code_name(ControlOp, op)


def result_name(result: int) -> str:
    return code_name(ResultCode, result)


class ControlChannel:
    """Request/response correlation on one link's control point."""

    def __init__(self, link: GattLink, clock: Clock, timeout: float) -> None:
        self._link = link
        self._clock = clock
        self.timeout = timeout
        self._lock = asyncio.Lock()
        self._pending: tuple[int, asyncio.Future[ControlResponse]] | None = None

    async def call(
        self, request: ControlRequest, *, tolerate_silence: bool = False
    ) -> ControlResponse | None:
        """Write `request` with response and return the machine's answer to it.

        Raises `ControlTimeout` when no answer came in time (None instead with
        `tolerate_silence`), `NotConnected` when the link is or goes down, and a
        one-line `TreadmillError` for any other transport failure.
        """
        op = request_op(request)
        async with self._lock:
            if not self._link.is_connected:
                raise NotConnected(f"{self._link.name}: not connected")
            future: asyncio.Future[ControlResponse] = asyncio.get_running_loop().create_future()
            self._pending = (op, future)
            try:
                await self._link.write(CONTROL_POINT, encode_control_request(request))
                return await wait_for(self._clock, future, self.timeout)
            except TreadmillError:
                raise
            except ClockTimeout:
                if tolerate_silence:
                    return None
                raise ControlTimeout(
                    f"{self._link.name}: no answer to {op_name(op)} within {self.timeout:g} s"
                ) from None
            except Exception as exc:  # a transport's own error: outcome unknown, one line
                raise TreadmillError(
                    f"{self._link.name}: writing {op_name(op)} failed: {exc}"
                ) from exc
            finally:
                self._pending = None

    def on_packet(self, data: bytes) -> None:
        """Notification or indication callback of the control point."""
        try:
            response = decode_control_response(data)
        except FtmsDecodeError as exc:
            log.warning("skipping control point packet %s: %s", data.hex(" "), exc)
            return
        pending = self._pending
        if pending is None or pending[0] != response.request_op or pending[1].done():
            # A duplicate, a late answer to a timed-out request, or another client's.
            log.debug("stray or duplicate response %s", data.hex(" "))
            return
        pending[1].set_result(response)

    def abort(self, reason: str) -> None:
        """The link is gone: the procedure in flight fails now rather than timing out."""
        pending = self._pending
        if pending is not None and not pending[1].done():
            pending[1].set_exception(NotConnected(f"{self._link.name}: {reason}"))
