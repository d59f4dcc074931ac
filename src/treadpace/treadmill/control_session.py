"""Holding control of the machine: asking for it, keeping it, and commanding through it.

Real machines bend the protocol (reference ftms.md §8); the rules followed here:
a Request Control that is never answered counts as granted (Q5), one whose write
failed in transport is tried again (`retry.py`), and only `05` refuses it; a `05`
result to a command re-requests control once (Q1); a command that timed out is
reported (`ControlSilent`) and never replayed (Q13). Control that lapsed (a `FF`
status, a machine reset, a reconnect) is asked for again before the next command
we send, never fought for in the background.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from treadpace.base.clock import Clock
from treadpace.ftms import (
    CONTROL_POINT,
    ControlRequest,
    ControlResponse,
    RequestControl,
    ResultCode,
    request_op,
)
from treadpace.treadmill.control_procedures import ControlChannel, op_name
from treadpace.treadmill.port import ControlSilent, ControlTimeout, GattLink, TreadmillUpdate
from treadpace.treadmill.retry import retry_transport

log = logging.getLogger(__name__)


class ControlSession:
    """Control of one machine across its connections, over a `ControlChannel`."""

    def __init__(
        self,
        link: GattLink,
        clock: Clock,
        response_timeout: float,
        push: Callable[[TreadmillUpdate], None],
        require_ready: Callable[[], None],
    ) -> None:
        self._link = link
        self._clock = clock
        self._push = push
        self._require_ready = require_ready
        self.channel = ControlChannel(link, clock, response_timeout)
        self.has_control = False
        self.refused = False
        # We asked for control this session: re-ask before our next command once it lapses.
        self.wanted = False

    @property
    def controllable(self) -> bool:
        """False without a control point, or once the machine refused control."""
        return self._link.has_characteristic(CONTROL_POINT) and not self.refused

    def lapsed(self) -> None:
        """Control is gone (a `FF`, a reset, a lost link): asked for before the next command."""
        self.has_control = False

    async def request_control(self) -> bool:
        if not self._link.has_characteristic(CONTROL_POINT):
            self.has_control = False
            return False
        self._require_ready()
        self.wanted = True
        # A write lost in transport is no answer: only `05` is a refusal.
        response = await retry_transport(
            self._clock,
            f"{self._link.name}: Request Control",
            lambda: self.channel.call(RequestControl(), tolerate_silence=True),
        )
        if response is None:
            log.info("%s did not answer Request Control; assuming it was granted", self._link.name)
            self.has_control = True
        else:
            self.has_control = response.ok
            self.refused = not response.ok
        return self.has_control

    async def command(self, request: ControlRequest) -> ControlResponse:
        """Send one command and return the machine's answer, asking for control as needed."""
        self._require_ready()
        asked = False
        if self.wanted and not self.has_control and self.controllable:
            # Control lapsed (FF, a machine reset, a reconnect): ask before commanding (Q1).
            asked = True
            await self.request_control()
        try:
            response = await self.channel.call(request)
        except ControlTimeout:
            self._push(ControlSilent(self._clock.now(), op_name(request_op(request))))
            raise
        assert response is not None
        if response.result == ResultCode.CONTROL_NOT_PERMITTED and not asked:
            # Control can lapse silently (a console reset, a firmware quirk): ask once more.
            self.has_control = False
            if await self.request_control():
                response = await self.channel.call(request)
                assert response is not None
        if response.result == ResultCode.CONTROL_NOT_PERMITTED:
            self.has_control = False
            log.warning(
                "%s: %s still not permitted after asking for control again; giving up",
                self._link.name,
                op_name(request_op(request)),
            )
        return response
