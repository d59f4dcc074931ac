"""`serve`'s one run at a time: the appliance owns at most one `RunSession`, nothing else.

The appliance holds no run state of its own: a run is always a `RunSession`,
wired exactly as `treadpace run` wires it, and what lasts is on disk (the
journal). It only decides whether a run may begin (one at a time: a second
start is refused with the reason) and hands the page's Start to the engine's
one gate as a remote command, so `mqtt.allow_remote_start` decides for the page
as it does for MQTT. "Start at the treadmill" starts nothing: the run waits for
the runner's Start on the console, which the gate allows while ready.

A page that goes away changes nothing: the run belongs to the session, and the
page's server only follows its events (`WebServer.follow`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from treadpace.appliance.preview import Adjust, compile_for_today
from treadpace.base.printable import printable
from treadpace.base.user_error import UserError
from treadpace.engine import Command
from treadpace.engine.gate import CommandPath, CommandSource, Refusal

if TYPE_CHECKING:
    from treadpace.base.clock import Clock
    from treadpace.engine.hub import Subscription
    from treadpace.plans.profile import Profile
    from treadpace.plans.steps import CompiledPlan
    from treadpace.session import RunOutcome, RunSession, SessionSetup
    from treadpace.web.live_state import LiveState
    from treadpace.web.page_server import WebServer

log = logging.getLogger("treadpace.appliance")

HOW_TO_ALLOW = (
    "to start from the page, set `mqtt: {allow_remote_start: true}` in the profile;"
    ' or choose "start at the treadmill" and press Start on its console'
)
BUSY = "busy"
BAD_INPUT = "bad_input"


@dataclass(frozen=True)
class Treadmill:
    """Which treadmill a run uses: the simulator (a model name) or a Bluetooth one."""

    sim_model: str | None = "generic"
    device: str | None = None
    time_scale: float = 1.0
    """The simulator only (a real belt runs in real time)."""
    sim_log: Path | None = None

    @property
    def label(self) -> str:
        if self.sim_model is not None:
            return f"simulated '{self.sim_model}'"
        return str(self.device)


@dataclass(frozen=True)
class Answer:
    """What the page is told about a Start: taken, or why not (`refused` is typed)."""

    ok: bool
    refused: str | None = None
    error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "refused": self.refused, "error": self.error, **self.extra}


class Appliance:
    """At most one run; started, followed by the page, and let go when it ends."""

    def __init__(
        self,
        server: WebServer,
        tasks: asyncio.TaskGroup,
        *,
        profile_path: Path | None,
        treadmill: Treadmill,
        quiet: bool = False,
    ) -> None:
        self.server = server
        self._tasks = tasks
        self.profile_path = profile_path
        self.treadmill = treadmill
        self._quiet = quiet
        self._lock = asyncio.Lock()
        self.session: RunSession | None = None
        self.plan_name = ""
        self.last_journal: Path | None = None
        self.last_outcome: RunOutcome | None = None
        self.runs_started = 0
        self._state: LiveState | None = None

    @property
    def running(self) -> bool:
        return self.session is not None

    def status(self) -> dict[str, Any]:
        last = self.last_journal
        return {
            "running": self.running,
            "plan": printable(self.plan_name) if self.running else "",
            "treadmill": self.treadmill.label,
            "last_run": last.stem if last is not None else None,
        }

    def choose(self, treadmill: Treadmill) -> Answer:
        """The treadmill the next runs use (never changed under a run)."""
        if self.session is not None:
            return Answer(False, BUSY, f"a run is going ({self.plan_name}): stop it first")
        scale = self.treadmill.time_scale if treadmill.sim_model is not None else 1.0
        log_path = self.treadmill.sim_log if treadmill.sim_model is not None else None
        self.treadmill = Treadmill(treadmill.sim_model, treadmill.device, scale, log_path)
        return Answer(True)

    def load_profile(self) -> Profile:
        from treadpace.plans import load_profile

        return load_profile(self.profile_path)

    async def start(self, name: str, adjust: Adjust, *, at_treadmill: bool) -> Answer:
        """Begin a run of `name`; the page's Start goes through the engine's gate."""
        async with self._lock:
            if self.session is not None:
                return Answer(False, BUSY, f"a run is going ({self.plan_name}): stop it first")
            try:
                # Disk and compiling off the event loop the engine of a run would share.
                compiled, prof = await asyncio.to_thread(self._compile, name, adjust)
            except UserError as exc:
                return Answer(False, BAD_INPUT, printable(str(exc)))
            return await self._begin(compiled, prof, at_treadmill)

    def _compile(self, name: str, adjust: Adjust) -> tuple[CompiledPlan, Profile]:
        return compile_for_today(name, self.load_profile(), adjust)

    async def _begin(self, compiled: CompiledPlan, prof: Profile, at_treadmill: bool) -> Answer:
        from treadpace.session import RunSession
        from treadpace.web.live_state import LiveState

        state = LiveState(allow_remote_start=bool(prof.mqtt.allow_remote_start))
        self._state = state
        session = RunSession(self._setup(compiled, prof, state))
        try:
            await session.__aenter__()
        except UserError as exc:
            return Answer(False, BAD_INPUT, printable(str(exc)))
        except Exception as exc:  # nothing moved (entering starts no belt); serve goes on
            log.warning("appliance: the run could not be wired: %r", exc)
            return Answer(False, None, printable(f"the run could not begin: {exc}"))
        if not at_treadmill:
            verdict = await session.engine.command(Command.START, None, CommandSource.REMOTE)
            if not verdict.ok:
                await session.__aexit__(None, None, None)
                text = verdict.text
                if verdict.refusal is Refusal.REMOTE_START_NOT_ALLOWED:
                    text = f"{text}: {HOW_TO_ALLOW}"
                refusal = verdict.refusal.value if verdict.refusal is not None else None
                return Answer(False, refusal, text)
        self.session, self.plan_name = session, compiled.name
        self.runs_started += 1
        self.server.show_run(state, session.engine.command)
        self._tasks.create_task(self._run(session), name="appliance run")
        waiting = "press Start on the treadmill's console" if at_treadmill else ""
        return Answer(True, extra={"waiting": waiting})

    def _setup(self, compiled: CompiledPlan, prof: Profile, state: LiveState) -> SessionSetup:
        from treadpace.base.clock import ScaledClock
        from treadpace.session import SessionSetup

        clock = ScaledClock(self.treadmill.time_scale)
        server = self.server

        async def follow(commands: CommandPath, sub: Subscription) -> None:
            await server.follow(sub, state)

        return SessionSetup(
            compiled=compiled,
            profile=prof,
            clock=clock,
            remote_start=True,  # nothing starts but the gate's yes, or the console
            record=True,
            page=follow,
            quiet=self._quiet,
            install_signals=False,
            **self._link(clock),
        )

    def _link(self, clock: Clock) -> dict[str, Any]:
        t = self.treadmill
        if t.sim_model is None:
            from treadpace.treadmill.ble import BleakLink

            def progress(line: str) -> None:
                print(line, flush=True)
                self._say(clock, line)  # "looking for ...": a treadmill that is off says so

            return {"link": BleakLink(t.device, clock, progress=progress)}
        from treadpace.treadmill.sim import SimLink
        from treadpace_sim.treadmill import SimulatedTreadmill

        sim = SimulatedTreadmill(t.sim_model, clock, sim_log=t.sim_log)
        return {"link": SimLink(sim), "sim": sim}

    def _say(self, clock: Clock, line: str) -> None:
        """A line about the treadmill link, as a notice on the run's page."""
        from treadpace.base.notice_level import NoticeLevel
        from treadpace.engine.events import Notice

        state = self._state
        if state is None:
            return
        message = state.absorb(Notice(clock.now(), NoticeLevel.INFO, printable(line)))
        if state is self.server.state:
            self.server.publish(message)

    async def _run(self, session: RunSession) -> None:
        try:
            outcome = await session.run()
        except Exception:
            log.exception("appliance: the run ended with an error")
            return
        finally:
            self.session = None
            self.server.run_over()
        self.last_outcome = outcome
        state = self._state
        if outcome.refused and state is not None:  # the terminal says it; the page must too
            message = state.never_began(printable(outcome.refused))
            if state is self.server.state:
                self.server.publish(message)
        if outcome.journal is not None:
            self.last_journal = outcome.journal
        print(f"appliance: run over ({self.plan_name})", flush=True)

    def warm_up(self) -> None:
        """Import what the home and a run need now: the first page and Start wait for no import."""
        import treadpace.appliance.preview
        import treadpace.library
        import treadpace.plans.loader
        import treadpace.program.next_run
        import treadpace.program.service
        import treadpace.session
        import treadpace.web.history_page
        import treadpace.web.live_state

        if self.treadmill.sim_model is not None:
            import treadpace.treadmill.sim
            import treadpace_sim.treadmill  # noqa: F401
        else:
            import treadpace.treadmill.ble  # noqa: F401

    async def shutdown(self) -> None:
        """`serve` is stopping: a run going is ended as SIGTERM ends one (the belt stops)."""
        session = self.session
        if session is None:
            return
        with contextlib.suppress(AssertionError):
            session.interrupt(signal.SIGTERM)
