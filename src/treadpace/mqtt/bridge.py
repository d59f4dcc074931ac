"""The MQTT bridge: the run on a broker (state, telemetry, events), commands back.

Three tasks, so that nothing the broker does can reach the engine:

- `run()` consumes the engine's bounded Subscription and only updates memory
  (current state, latest telemetry, a bounded deque of events). It never waits
  on the network, so a slow broker cannot make the engine's queue back up
  beyond what the hub already drops.
- the link task owns one aiomqtt client at a time: connect, announce
  (availability, discovery, state), then publish whatever changed and read
  commands until the connection breaks; then back off (capped exponential, on
  the event loop's real clock: this is network I/O, not plan time) and try
  again. Every broker error is logged and retried, never raised.
- the command worker hands validated commands to the engine one at a time, in
  its own task, so a lost connection never cancels a command half-way.

When the subscription ends, the final state and `offline` are published within
a short bound and `run()` returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import replace
from typing import Any

import aiomqtt

import treadpace.mqtt.payloads as payloads
from treadpace.base.backoff import Backoff, Retrying
from treadpace.base.clock import Clock, ClockTimeout, RealClock, wait_for
from treadpace.base.notice_level import NoticeLevel
from treadpace.base.user_error import UserError
from treadpace.engine.events import (
    Command,
    Cue,
    EngineEvent,
    Notice,
    RunFinished,
    RunStarted,
    RunState,
    StateChanged,
    StepFinished,
    StepStarted,
    Tick,
)
from treadpace.engine.gate import CommandPath, CommandSource
from treadpace.engine.hub import Subscription
from treadpace.mqtt.ha_discovery import discovery_configs, discovery_topics
from treadpace.mqtt.payloads import BadCommand, RunContext, dumps, parse_command
from treadpace.mqtt.settings import MqttSettingsLike, client_options, describe
from treadpace.mqtt.topics import Topics

log = logging.getLogger("treadpace.mqtt")
_PAHO_LOG = logging.getLogger("treadpace.mqtt.paho")


class _PahoDetail(logging.Filter):
    """paho's own socket messages ("failed to receive on socket") are detail: the bridge
    says what happened to the link in its own words, so they are kept for debug logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return _PAHO_LOG.isEnabledFor(logging.DEBUG)


_PAHO_LOG.addFilter(_PahoDetail())


def _settle(client: aiomqtt.Client) -> None:
    """Mark the client's disconnection error as seen once its session is over.

    aiomqtt keeps the error of an unexpected disconnection in a future that only
    its message iterator reads. When the writer finds the dead broker first, the
    reader is cancelled before reading it, and asyncio prints "Future exception
    was never retrieved" with a traceback when the client is collected. The loss
    is already logged (`_link_loop`), so the error is read here and dropped; the
    network thread may report the loss only after the session ended (the writer saw
    it first), so a future not done yet is read when it is.
    """
    done = getattr(client, "_disconnected", None)
    if not isinstance(done, asyncio.Future):
        return
    if done.done():
        _read(done)
    else:
        done.add_done_callback(_read)


def _read(done: asyncio.Future[Any]) -> None:
    if not done.cancelled():
        done.exception()


ONLINE = "online"
_STABLE_S = 10.0
"""A connection that lasted this long resets the reconnect backoff."""
OFFLINE = "offline"


class MqttBridge:
    """Publishes one run to MQTT (and Home Assistant) and passes commands back.

    `commands(command, value, CommandSource.REMOTE)` is called for every accepted
    command message; `value` is the km/h change for a nudge with an amount, else
    None. Pass the engine's `command`: whether a start may move the belt is the
    engine's one decision (`treadpace.engine.gate`), not the bridge's.
    """

    def __init__(
        self,
        settings: MqttSettingsLike,
        *,
        commands: CommandPath,
        device_name: str = "treadpace",
        telemetry_interval_s: float = 1.0,
        reconnect_min_s: float = 0.5,
        reconnect_max_s: float = 30.0,
        io_timeout_s: float = 5.0,
        final_timeout_s: float = 2.0,
        max_events: int = 100,
        clock: Clock | None = None,
    ) -> None:
        if not 0 < reconnect_min_s <= reconnect_max_s:
            raise ValueError("expected 0 < reconnect_min_s <= reconnect_max_s")
        # The reconnect pauses follow this clock; the broker's own I/O is real time.
        self._clock: Clock = clock if clock is not None else RealClock()
        self._settings = settings
        self._commands = commands
        self._device_name = device_name
        self.topics = Topics.from_settings(settings)
        # Built now so that an unreadable certificate is a UserError before the run.
        self._options = client_options(settings) if settings.enabled else {}
        self._where = describe(settings)
        self._interval = telemetry_interval_s
        self._backoff = Backoff(first=reconnect_min_s, cap=reconnect_max_s, stable_s=_STABLE_S)
        self._io_timeout = io_timeout_s
        self._final_timeout = final_timeout_s

        self._state = RunState.IDLE
        self._published_state: RunState | None = None
        self._ctx = RunContext()
        self._telemetry: dict[str, Any] | None = None
        self._telemetry_seq = 0
        self._published_telemetry_seq = 0
        self._next_telemetry_t: float | None = None
        self._events: deque[dict[str, Any]] = deque(maxlen=max_events)
        self._announce_needed = True
        self._commands_queue: asyncio.Queue[tuple[Command, float | None]] = asyncio.Queue(16)
        self._wake = asyncio.Event()
        self._ending = asyncio.Event()

        self.connected = False
        self.connections = 0
        """Successful connections so far (1 + reconnects)."""
        self.telemetry_published = 0

    # ------------------------------------------------------------------ engine side

    async def run(self, sub: Subscription) -> None:
        """Publish the run until `sub` ends; never raises for broker trouble."""
        if not self._settings.enabled:
            async for _ in sub:
                pass
            return
        loop = asyncio.get_running_loop()
        previous = loop.get_exception_handler()
        loop.set_exception_handler(_closed_socket_race(previous))
        link = asyncio.create_task(self._link_loop(), name="mqtt-link")
        worker = asyncio.create_task(self._command_worker(), name="mqtt-commands")
        try:
            async for event in sub:
                try:
                    self._absorb(event)
                except Exception:
                    # A payload we failed to build is not worth a sink (or a run).
                    log.exception("MQTT: could not translate %s; skipped", type(event).__name__)
        finally:
            self._ending.set()
            self._wake.set()
            await self._finish(link, worker)
            loop.set_exception_handler(previous)

    async def _finish(self, link: asyncio.Task[None], worker: asyncio.Task[None]) -> None:
        # Only a live connection has a goodbye to send; a connection attempt still
        # in progress is abandoned (the broker's last will speaks for us).
        try:
            if self.connected:
                # asyncio.wait (not wait_for): this also runs while run() is being cancelled.
                done, _ = await asyncio.wait({link}, timeout=self._final_timeout)
                if not done:
                    log.warning("MQTT: could not say goodbye to %s in time; leaving", self._where)
        finally:
            while not self._commands_queue.empty():
                self._commands_queue.get_nowait()
            for task in (link, worker):
                task.cancel()
        # A wedged client (e.g. a half-open socket) may ignore cancellation for a
        # while; the run is over, so do not wait on it for long.
        await asyncio.wait({link, worker}, timeout=0.5)

    def _absorb(self, event: EngineEvent) -> None:
        if isinstance(event, Tick):
            self._state = event.state
            self._maybe_telemetry(event)
        elif isinstance(event, StateChanged):
            self._state = event.state
        elif isinstance(event, StepStarted):
            self._ctx = replace(self._ctx, step_kind=event.step.kind, total_steps=event.total_steps)
            self._push(payloads.step_started(event, self._ctx.imperial))
        elif isinstance(event, StepFinished):
            self._push(payloads.step_finished(event))
        elif isinstance(event, RunStarted):
            self._ctx = RunContext(imperial=event.imperial, total_steps=len(event.steps))
            self._next_telemetry_t = None
            self._push(payloads.run_started(event))
        elif isinstance(event, Notice):
            self._push(payloads.engine_notice(event))
        elif isinstance(event, Cue):
            self._push(payloads.cue(event))
        elif isinstance(event, RunFinished):
            self._state = event.state
            self._push(payloads.run_finished(event))
        self._wake.set()

    def _maybe_telemetry(self, tick: Tick) -> None:
        """At most one telemetry message per `interval` of run time, on a fixed grid."""
        due = self._next_telemetry_t
        if due is not None and tick.t < due - 1e-6:
            return
        due = tick.t if due is None or tick.t - due > 10 * self._interval else due
        while due <= tick.t + 1e-6:
            due += self._interval
        self._next_telemetry_t = due
        self._telemetry = payloads.telemetry(tick, self._ctx)
        self._telemetry_seq += 1

    def _push(self, payload: dict[str, Any]) -> None:
        self._events.append(payload)
        self._wake.set()

    # ------------------------------------------------------------------ broker side

    def _new_client(self) -> aiomqtt.Client:
        return aiomqtt.Client(
            **self._options,
            will=aiomqtt.Will(self.topics.availability, OFFLINE, qos=1, retain=True),
            logger=_PAHO_LOG,
            timeout=self._io_timeout,
            max_queued_incoming_messages=64,
        )

    async def _link_loop(self) -> None:
        retrying = Retrying(self._backoff, self._clock)
        while not self._ending.is_set():
            was_connected = False
            client = self._new_client()
            try:
                async with client:
                    was_connected = True
                    retrying.connected()
                    await self._serve(client)
            except aiomqtt.MqttError as exc:
                if was_connected:
                    log.warning("MQTT: lost %s: %s; reconnecting", self._where, exc)
                elif retrying.failures == 0:
                    log.warning("MQTT: cannot connect to %s: %s; will retry", self._where, exc)
                else:
                    log.debug("MQTT: still cannot connect to %s: %s", self._where, exc)
            except Exception:
                # A bug of ours must not end the run either; say so loudly and retry.
                log.exception("MQTT: bridge error with %s; reconnecting", self._where)
            finally:
                self.connected = False
                _settle(client)
            if self._ending.is_set():
                return
            if was_connected:
                retrying.lost()  # from the first pause again if it lasted _STABLE_S
            # (A broker that accepts and drops us at once keeps backing off.)
            with contextlib.suppress(ClockTimeout):
                await wait_for(self._clock, self._ending.wait(), retrying.failed())

    async def _serve(self, client: aiomqtt.Client) -> None:
        self.connected = True
        self.connections += 1
        log.info("MQTT: connected to %s", self._where)
        await client.subscribe(self.topics.command_filter, qos=1)
        if self._settings.discovery:
            await client.subscribe(self.topics.ha_status, qos=1)
        self._announce_needed = True
        rx = asyncio.create_task(self._receive(client), name="mqtt-receive")
        tx = asyncio.create_task(self._transmit(client), name="mqtt-transmit")
        try:
            done, _ = await asyncio.wait({rx, tx}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (rx, tx):
                task.cancel()
            await asyncio.gather(rx, tx, return_exceptions=True)
        for task in done:
            task.result()

    async def _announce(self, client: aiomqtt.Client) -> None:
        await client.publish(self.topics.availability, ONLINE, qos=1, retain=True)
        if self._settings.discovery:
            configs = discovery_configs(
                self.topics,
                self._device_name,
                allow_remote_start=self._settings.allow_remote_start,
            )
            for topic, config in configs:
                await client.publish(
                    topic, dumps(config) if config is not None else "", qos=1, retain=True
                )
        self._published_state = None

    async def _transmit(self, client: aiomqtt.Client) -> None:
        while True:
            self._wake.clear()
            if self._announce_needed:
                self._announce_needed = False
                await self._announce(client)
            await self._flush(client)
            if self._ending.is_set() and not self._pending():
                await client.publish(self.topics.availability, OFFLINE, qos=1, retain=True)
                log.info("MQTT: run over; published final state %s", self._state.value)
                return
            if not self._pending():
                await self._wake.wait()

    def _pending(self) -> bool:
        return (
            self._announce_needed
            or self._state != self._published_state
            or bool(self._events)
            or self._telemetry_seq != self._published_telemetry_seq
        )

    async def _flush(self, client: aiomqtt.Client) -> None:
        state = self._state
        if state != self._published_state:
            await client.publish(self.topics.state, state.value, qos=1, retain=True)
            self._published_state = state
        while self._events:
            event = self._events.popleft()
            try:
                await client.publish(self.topics.event, dumps(event), qos=1)
            except BaseException:
                if len(self._events) < (self._events.maxlen or 0):
                    self._events.appendleft(event)
                raise
        seq = self._telemetry_seq
        if seq != self._published_telemetry_seq and self._telemetry is not None:
            await client.publish(self.topics.telemetry, dumps(self._telemetry), qos=0)
            self._published_telemetry_seq = seq
            self.telemetry_published += 1

    async def _receive(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            await self._handle(client, str(message.topic), message.payload, message.retain)

    async def _handle(self, client: aiomqtt.Client, topic: str, payload: Any, retain: bool) -> None:
        if isinstance(payload, str):
            payload = payload.encode()
        elif not isinstance(payload, bytes | bytearray):
            payload = b"" if payload is None else str(payload).encode()
        payload = bytes(payload)
        if topic == self.topics.ha_status:
            # Home Assistant restarted: it forgets non-retained entities' values.
            if not retain and payload.strip().lower() == b"online":
                self._announce_needed = True
                self._wake.set()
            return
        if not topic.startswith(self.topics.command_prefix):
            return
        name = topic[len(self.topics.command_prefix) :]
        if retain:
            if payload:
                # A retained command would replay on every reconnect: never act on
                # it, and clear it so it stops coming back.
                log.warning("MQTT: ignoring retained command on %s; clearing it", topic)
                await client.publish(topic, "", qos=1, retain=True)
            return
        if not payload:
            log.debug("MQTT: ignoring empty command on %s", topic)
            return
        try:
            command, value = parse_command(name, payload)
        except BadCommand as exc:
            log.warning("MQTT: ignoring command: %s", exc)
            self._push(payloads.notice(NoticeLevel.WARNING, f"ignored MQTT command: {exc}"))
            return
        try:
            self._commands_queue.put_nowait((command, value))
        except asyncio.QueueFull:
            log.warning("MQTT: too many commands at once; ignoring %s", command.value)

    async def _command_worker(self) -> None:
        while True:
            command, value = await self._commands_queue.get()
            log.info(
                "MQTT: command %s%s", command.value, "" if value is None else f" {value:g} km/h"
            )
            self._push({"event": "command", "command": command.value, "value": value})
            try:
                await self._commands(command, value, CommandSource.REMOTE)
            except Exception as exc:
                log.warning("MQTT: command %s failed: %s", command.value, exc)


async def remove_discovery(
    settings: MqttSettingsLike, *, device_name: str = "treadpace", timeout_s: float = 5.0
) -> int:
    """Remove the device from Home Assistant: empty retained payloads on every topic we retain.

    Returns how many topics were cleared. Broker trouble is a UserError here: this
    is a command the runner asked for, and it should say why it could not be done.
    """
    topics = Topics.from_settings(settings)
    cleared = [*discovery_topics(topics), topics.state, topics.availability]
    where = describe(settings)
    try:
        async with aiomqtt.Client(
            **client_options(settings), logger=_PAHO_LOG, timeout=timeout_s
        ) as client:
            for topic in cleared:
                await client.publish(topic, "", qos=1, retain=True)
    except aiomqtt.MqttError as exc:
        raise UserError(f"mqtt: cannot remove discovery from {where}: {exc}") from None
    log.info("MQTT: removed %s discovery topics from %s", device_name, where)
    return len(cleared)


ExceptionHandler = Any
"""The loop's exception handler: (loop, context) -> None, or None for the default."""


def _closed_socket_race(previous: ExceptionHandler) -> ExceptionHandler:
    """The loop's handler, less one known race: a socket closed under a pending registration.

    When the broker goes, the MQTT client may have asked the loop (from its own thread) to
    watch a socket that is closed by the time the loop gets to it: `add_writer` then fails
    with EBADF in a callback, which the loop would print as an error although the bridge
    already says, in its own line, that the broker was lost. Decided on the errno, never on
    the words; every other error goes on to the handler there was.
    """
    import errno

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, OSError) and exc.errno == errno.EBADF:
            log.debug("MQTT: a closed socket's registration came late (%s)", exc)
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    return handle
