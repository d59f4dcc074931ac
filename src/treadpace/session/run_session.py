"""`RunSession`: the wiring, the signals and the teardown order of one run, below the CLI.

The order is the point. Signals are caught before the belt can move, so Ctrl+C,
SIGTERM, a closed terminal or Ctrl+\\ all end in the engine's own stop. After the
engine has returned, the events end, the journal is closed (and exported), the
strap and the sinks are let go, then the broadcast, the treadmill link and the
simulator, last. The sinks run in one `asyncio.TaskGroup`, each one shielded so a
sink that fails never ends the run that feeds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from treadpace.base.optional import require_dbus
from treadpace.base.user_error import UserError
from treadpace.cues import wiring as cues
from treadpace.engine import Command, Engine, EngineConfig, RunState
from treadpace.record import NothingRecorded, Recorder, export_run
from treadpace.session.setup_outcome import RunOutcome, SessionSetup
from treadpace.session.signals import EXIT_SIGNALS, forget_a_hung_up_terminal, signal_name
from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
from treadpace.treadmill.port import TreadmillError
from treadpace.ui.keys import KeyController, TerminalKeys

if TYPE_CHECKING:
    from treadpace.base.clock import Clock
    from treadpace.base.listen import Listen
    from treadpace.broadcast.broadcaster import Broadcaster
    from treadpace.engine import RunFinished
    from treadpace.engine.hub import EventHub
    from treadpace.plans.broadcast_settings import BroadcastSettings
    from treadpace.web.page_server import WebServer

log = logging.getLogger(__name__)


class RunSession:
    """One run: `async with RunSession(setup) as session: outcome = await session.run()`.

    Entering wires everything and catches the signals; `run` starts the belt (or waits
    for a remote start), waits for the engine, tears down and exports. Leaving tears
    down whatever is still up, also when entering or running failed half-way.
    """

    def __init__(self, setup: SessionSetup) -> None:
        self.setup = setup
        self._stack = contextlib.AsyncExitStack()
        self._tg = asyncio.TaskGroup()
        self._hub: EventHub | None = None
        self._broadcaster: Broadcaster | None = None
        self._treadmill: FtmsTreadmill | None = None
        self._engine: Engine | None = None
        self._engine_task: asyncio.Future[RunFinished] | None = None
        self._recorder: Recorder | None = None
        self._recorder_task: asyncio.Task[tuple[Path | None, str]] | None = None
        self._strap_task: asyncio.Task[None] | None = None
        self._controller: KeyController | None = None
        self._on_key: Any = None
        self._pressed = asyncio.Event()
        self._page: WebServer | None = None
        self._received: list[int] = []
        self._signals_installed = False
        self._sim_started = False
        self._closed = False
        self._journal: Path | None = None
        self._nothing_recorded = ""

    @property
    def page(self) -> WebServer | None:
        """The live page's server, when the run serves one."""
        return self._page

    @property
    def engine(self) -> Engine:
        assert self._engine is not None, "enter the session first"
        return self._engine

    async def __aenter__(self) -> RunSession:
        try:
            await self._wire()
        except BaseException:
            await self._close()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._close()

    def interrupt(self, signum: int) -> None:
        """What a signal does: abort (the engine stops the belt); asked twice, cut it short."""
        self._received.append(signum)
        forget_a_hung_up_terminal(signum)
        engine = self.engine
        engine.abort(f"interrupted ({signal_name(signum)})")
        if self._engine_task is None:
            return
        if engine.state == RunState.IDLE or len(self._received) > 1:
            # Still connecting (nothing moves yet), or asked twice: cut it short. The
            # engine's own clean-up still stops a belt it started, with a bounded wait.
            self._engine_task.cancel()

    async def _wire(self) -> None:
        s = self.setup
        prof = s.profile
        hub = self._hub = cues.cue_hub(prof.cues, s.clock)
        # Refused: one line, exit 2, before anything else is up.
        self._broadcaster = await _broadcast(prof.broadcast, s.clock, hub)
        config = EngineConfig.from_profile(
            prof, s.machine, countdown_s=0 if s.yes else 3, simulated=s.sim is not None
        )
        web, hosts = s.web, prof.web.allow_hosts
        page = self._page = await _open_page(web, config, hosts) if web is not None else None
        await self._stack.enter_async_context(self._tg)
        if s.sim is not None:
            self._sim_started = True
            await s.sim.start()
        treadmill = self._treadmill = FtmsTreadmill(s.link, s.clock)
        engine = self._engine = Engine(treadmill, s.compiled, config, s.clock, hub)
        if s.record:
            self._recorder = Recorder(prof.recording.directory)
            self._recorder_task = self._tg.create_task(
                self._record(self._recorder, hub), name="recorder"
            )
        if prof.mqtt.enabled:
            from treadpace.mqtt import MqttBridge

            name = prof.name or "treadpace"
            # Its commands say they are remote; the engine's gate decides on starts.
            bridge = MqttBridge(prof.mqtt, commands=engine.command, device_name=name)
            self._sink(bridge.run(hub.subscribe(maxsize=200)))
        if page is not None:
            from treadpace.web.page import follow

            self._sink(follow(page, engine.command, hub.subscribe(200)))
        if s.page is not None:
            self._sink(s.page(engine.command, hub.subscribe(200)))
        if self._broadcaster is not None:
            self._broadcaster.attach(treadmill)
            self._sink(self._broadcaster.run(hub.subscribe(maxsize=100)))
        if s.console_runner is not None:
            self._sink(s.console_runner(hub.subscribe()))
        self._wire_screen(hub, engine)
        self._engine_task = asyncio.create_task(engine.run(), name="engine")
        if s.footpod is not None:
            treadmill.attach_footpod(s.footpod.readings())
        strap = prof.heart_rate.strap
        if strap:
            self._strap_task = self._tg.create_task(
                _shielded(_strap(strap, treadmill, s.clock)), name="heart-rate strap"
            )
        if s.install_signals:
            loop = asyncio.get_running_loop()
            for signum in EXIT_SIGNALS:
                loop.add_signal_handler(signum, self.interrupt, signum)
            self._signals_installed = True

    def _wire_screen(self, hub: EventHub, engine: Engine) -> None:
        """The speaker, the keys and the live view (or a plain log without a terminal)."""
        from treadpace.base.clock import VirtualClock

        s = self.setup
        silent = isinstance(s.clock, VirtualClock)
        speaker = cues.speaker(
            s.profile.cues, quiet=s.quiet, silent_clock=silent, terminal=s.interactive_out
        )
        if speaker is not None:
            self._sink(speaker.consume(hub.subscribe(maxsize=500)))
        controller = KeyController(engine.command, lambda: engine.state, s.console_keys)
        self._controller = controller
        if s.interactive_out:
            from treadpace.ui.keys import HELP
            from treadpace.ui.live_view import LiveView

            view = LiveView()
            if s.interactive_in and s.console_help:
                view.help = f"{HELP} · {s.console_help}"
            self._sink(view.consume(hub.subscribe(maxsize=100)))

            def on_key() -> None:
                view.prompt = controller.prompt
                view.big = controller.big
                view.refresh(force=True)

            self._on_key = on_key
        else:
            from treadpace.ui.plain import PlainLog

            self._sink(PlainLog().consume(hub.subscribe(maxsize=1000)))
            self._on_key = lambda: None

    def _sink(self, coro: Coroutine[Any, Any, object]) -> None:
        self._tg.create_task(_shielded(coro), name=f"sink {getattr(coro, '__qualname__', '?')}")

    async def run(self) -> RunOutcome:
        """Start (or wait for a remote start), run the plan, tear down, export."""
        assert self._engine_task is not None and self._controller is not None
        result: RunFinished | None = None
        failure = refused = ""
        try:
            keys = (
                TerminalKeys(self._controller, self._key)
                if self.setup.interactive_in
                else contextlib.nullcontext()
            )
            with keys:
                if self.setup.remote_start:
                    if self.setup.page is None:  # serve's page says so itself
                        print("waiting for a start over MQTT (Ctrl+C to give up)", flush=True)
                else:
                    await self._wait_for_the_page()
                    await self.engine.command(Command.START)  # running it is the explicit action
                try:
                    result = await self._engine_task
                except asyncio.CancelledError:
                    if not self._received:
                        raise
                except UserError as exc:  # the profile does not fit, Bluetooth is unusable
                    refused = str(exc)
                except TreadmillError as exc:
                    failure = str(exc)
                except Exception as exc:  # the belt is stopped by now; say what happened
                    failure = f"{type(exc).__name__}: {exc}"
        finally:
            await self._close()
        return self._outcome(result, failure, refused)

    def _key(self) -> None:
        self._pressed.set()
        self._on_key()

    async def _wait_for_the_page(self) -> None:
        """On the LAN, the countdown waits for the phone to open the page (or a key here).

        The QR code takes longer to scan than a 3-2-1; on loopback there is no phone to
        wait for, and `--yes` asked for no countdown at all.
        """
        page, s = self._page, self.setup
        if page is None or page.listen.loopback or s.yes:
            return
        assert self._engine_task is not None
        how = "or press a key here" if s.interactive_in else "Ctrl+C to give up"
        print(f"web: the countdown starts when the page opens on the phone ({how})", flush=True)
        async with asyncio.TaskGroup() as tg:
            opened = tg.create_task(page.opened.wait(), name="web-page-opened")
            pressed = tg.create_task(self._pressed.wait(), name="key-pressed")
            # The engine ending (Ctrl+C, a lost treadmill) ends the wait too.
            waits: set[asyncio.Future[Any]] = {opened, pressed, self._engine_task}
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            opened.cancel()
            pressed.cancel()

    def _outcome(self, result: RunFinished | None, failure: str, refused: str) -> RunOutcome:
        short = self._recorder is not None and self._recorder.failed
        exports: list[Path] = []
        export_error = ""
        formats: list[str] = list(self.setup.profile.recording.auto_export)
        if self._journal is not None and formats and not refused:
            try:
                for path in export_run(self._journal, formats):
                    exports.append(path)
            except (UserError, OSError, ValueError) as exc:
                export_error = str(exc)
        assert self._controller is not None
        return RunOutcome(
            result=result,
            belt_stop_confirmed=not self.engine.belt_left_running,
            recording_complete=not short,
            journal=self._journal,
            exports=tuple(exports),
            export_error=export_error,
            signal=self._received[0] if self._received else None,
            stop_requested=self._controller.stop_requested,
            failure=failure,
            refused=refused,
            nothing_recorded="" if refused else self._nothing_recorded,
        )

    async def _close(self) -> None:
        """Tear down in the order that keeps the belt safe; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._engine_task is not None and not self._engine_task.done():
            self._engine_task.cancel()  # only when the session itself failed half-way
            with contextlib.suppress(BaseException):
                await self._engine_task
        if self._signals_installed:
            loop = asyncio.get_running_loop()
            for signum in EXIT_SIGNALS:
                loop.remove_signal_handler(signum)
            if self.setup.late_signals is not None:
                # The engine is done, its stop behind it: a signal now cuts nothing short.
                self.setup.late_signals.catch(self._received)
        if self._hub is not None:
            self._hub.close()
        if self._recorder_task is not None:
            self._journal, self._nothing_recorded = await self._recorder_task
        if self._strap_task is not None:
            self._strap_task.cancel()
        await self._stack.aclose()  # the TaskGroup: every sink has seen the end of the events
        if self._broadcaster is not None:
            await self._broadcaster.stop()
        if self._treadmill is not None:
            with contextlib.suppress(TreadmillError):
                await self._treadmill.disconnect()
        if self.setup.sim is not None and self._sim_started:
            await self.setup.sim.close()

    @staticmethod
    async def _record(recorder: Recorder, hub: EventHub) -> tuple[Path | None, str]:
        try:
            return await recorder.consume(hub.subscribe()), ""
        except NothingRecorded as exc:
            return None, str(exc)


async def _broadcast(
    settings: BroadcastSettings, clock: Clock, hub: EventHub
) -> Broadcaster | None:
    """The profile's broadcast, if any: only a broadcast imports D-Bus (Linux only)."""
    if not settings.services:
        return None
    require_dbus("--broadcast")
    from treadpace.broadcast.broadcaster import start_broadcast

    return await start_broadcast(settings, clock, hub)


async def _shielded(coro: Coroutine[Any, Any, object]) -> None:
    """A sink that fails is logged by itself; it never takes the run down with it."""
    with contextlib.suppress(Exception):
        await coro


async def _strap(strap: str, treadmill: FtmsTreadmill, clock: Clock) -> None:
    """Feed a strap's heart rate to the treadmill for the whole run; never fails the run."""
    from treadpace.treadmill.ble_heart_rate import HeartRateSource

    # Its scan waits for the treadmill's in the BLE layer (ble_scan.scan_lock).
    source = HeartRateSource(strap, clock)
    try:
        await source.feed(treadmill)
    except TreadmillError as exc:
        log.warning("heart-rate strap %s: %s", strap, exc)
    finally:
        with contextlib.suppress(Exception):
            await source.close()


async def _open_page(listen: Listen, config: EngineConfig, allow_hosts: Sequence[str]) -> WebServer:
    """Bind the page; its start button shows only what the engine's gate will allow."""
    from treadpace.web.page import open_page

    return await open_page(
        listen, allow_remote_start=config.allow_remote_start, allow_hosts=allow_hosts
    )
