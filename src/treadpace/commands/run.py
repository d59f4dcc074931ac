"""`treadpace run PLAN`: a guided run, on the simulator or a real treadmill.

Works with no options: without a profile the built-in default runner is used,
without a configured device the simulated `generic` treadmill; both are said on
the first lines. The belt starts after a 3-2-1 countdown on the run's clock
(`--yes` skips it). Running the command is the explicit action that starts the
belt, so a run without a terminal (stdin not a tty, e.g. a service) still counts
down and proceeds; there are no keys then, only SIGINT/SIGTERM to stop.

Exit codes: 0 the plan finished; 130 interrupted (Ctrl+C / SIGINT, or `q` then
`y`); 143 SIGTERM, 129 SIGHUP (the terminal closed), 131 SIGQUIT; 2 bad input;
4 the run's journal stopped short (disk full, ...); 1 the run ended otherwise
(treadmill gone, error). On every one of them the belt treadpace started is
stopped first, and seen stopped: 3 (before any other code) when the treadmill
never reported it stopped, said loudly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from treadpace.errors import UserError

if TYPE_CHECKING:
    from treadpace.clock import Clock
    from treadpace.engine import RunFinished
    from treadpace.listen import Listen
    from treadpace.plans.steps import CompiledPlan
    from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
    from treadpace.ui.keys import KeyController
    from treadpace.web.server import WebServer

VIRTUAL_CLOCK_ENV = "TREADPACE_VIRTUAL_CLOCK"
"""Set to 1 to run on the virtual clock (tests: an hour-long plan in a blink)."""

EXIT_FINISHED = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)


def run_command(
    plan: Annotated[
        str,
        typer.Argument(help="Plan file, or a plan name (e.g. thirds; see `treadpace plan list`)."),
    ],
    profile: Annotated[
        Path | None,
        typer.Option(
            "--profile", "-p", help="Runner profile YAML (default: $TREADPACE_PROFILE, the user's)."
        ),
    ] = None,
    simulate: Annotated[
        bool, typer.Option("--simulate", help="Use the software treadmill.")
    ] = False,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Simulator model name or YAML (implies --simulate)."),
    ] = None,
    device: Annotated[
        str | None, typer.Option("--device", help="Bluetooth address or name of the treadmill.")
    ] = None,
    time_scale: Annotated[
        float, typer.Option("--time-scale", help="Simulator only: run N times faster.")
    ] = 1.0,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Start the belt at once, without the countdown.")
    ] = False,
    sim_log: Annotated[
        Path | None,
        typer.Option(
            "--sim-log",
            help="Simulator only: write its command/belt log (JSON lines).",
            readable=False,  # written, not read: run_checks.check_sim_log says why not
        ),
    ] = None,
    remote_start: Annotated[
        bool,
        typer.Option(
            "--remote-start",
            help="Wait for a start over MQTT (needs mqtt.enabled and mqtt.allow_remote_start).",
        ),
    ] = False,
    no_record: Annotated[
        bool,
        typer.Option("--no-record", help="Run without saving a journal (e.g. no usable runs dir)."),
    ] = False,
    web: Annotated[
        bool,
        typer.Option("--web", help="Serve the live page for a phone (profile web.listen)."),
    ] = False,
    web_listen: Annotated[
        str | None,
        typer.Option(
            "--web-listen",
            metavar="HOST:PORT",
            help="Serve the live page here (default 127.0.0.1:8080; not loopback: with a token).",
        ),
    ] = None,
    broadcast: Annotated[
        str | None,
        typer.Option(
            "--broadcast",
            help="Be a Bluetooth sensor during the run: rsc (footpod), ftms (read-only "
            "treadmill) or rsc,ftms; none turns the profile's off.",
        ),
    ] = None,
    broadcast_adapter: Annotated[
        str | None,
        typer.Option("--broadcast-adapter", help="Radio for --broadcast (default hci0)."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="No spoken cues and no bell (the banner stays).")
    ] = False,
    virtual_clock: Annotated[bool, typer.Option("--virtual-clock", hidden=True)] = False,
) -> None:
    """Run a plan: the engine drives the belt, the terminal shows where you are."""
    from treadpace.commands import run_checks
    from treadpace.library import load_and_compile
    from treadpace.plans.broadcast_settings import with_broadcast_options
    from treadpace.web.page import resolve_listen

    run_checks.check_time_scale(time_scale)
    run_checks.check_treadmill_options(simulate=simulate, model=model, device=device)
    compiled, prof = load_and_compile(plan, profile)
    listen = resolve_listen(web, web_listen, prof)
    if remote_start and not (prof.mqtt.enabled and prof.mqtt.allow_remote_start):
        raise UserError(
            "--remote-start: the profile must set mqtt.enabled and mqtt.allow_remote_start"
        )
    prof = with_broadcast_options(prof, broadcast, broadcast_adapter)
    if prof.is_default:
        print("profile: built-in default (metric, paces from a 25:00 5K)")
    else:
        print(f"profile: {prof.name}")
    pinned = prof.treadmill.address or prof.treadmill.name
    target = device or (None if (simulate or model) else pinned)
    use_sim = target is None
    if use_sim:
        model_name = model or prof.treadmill.simulator_model
        why = "--simulate" if (simulate or model) else "no device configured"
        print(f"treadmill: simulated '{model_name}' ({why})")
    else:
        if time_scale != 1.0:
            raise UserError("--time-scale: only with the simulator (a real belt runs in real time)")
        if sim_log is not None:
            raise UserError("--sim-log: only with the simulator")
        model_name = ""
        print(f"treadmill: {target}" + (" (from the profile)" if device is None else ""))
    if sim_log is not None:
        run_checks.check_sim_log(sim_log)
    if no_record:
        print("recording: off (--no-record)")
    else:
        run_checks.check_runs_directory(prof.recording.directory)
    for note in compiled.notes:
        print(f"note: {note}")
    virtual = virtual_clock or os.environ.get(VIRTUAL_CLOCK_ENV, "") not in ("", "0")
    code = _run(
        compiled,
        prof,
        sim_model=model_name if use_sim else None,
        device=target,
        time_scale=time_scale,
        yes=yes,
        remote_start=remote_start,
        sim_log=sim_log,
        virtual=virtual,
        record=not no_record,
        web=listen,
        quiet=quiet,
    )
    raise typer.Exit(code)


def _run(
    compiled: CompiledPlan,
    prof: Any,
    *,
    sim_model: str | None,
    device: str | None,
    time_scale: float,
    yes: bool,
    remote_start: bool,
    sim_log: Path | None,
    virtual: bool,
    record: bool = True,
    web: Listen | None = None,
    quiet: bool = False,
) -> int:
    import asyncio

    from treadpace.clock import ScaledClock, VirtualClock

    clock: Clock = VirtualClock() if virtual else ScaledClock(time_scale)

    async def main() -> int:
        session = _session(
            compiled,
            prof,
            clock,
            sim_model,
            device,
            yes,
            remote_start,
            sim_log,
            record,
            web,
            quiet,
        )
        if isinstance(clock, VirtualClock):
            return await clock.drive(session)
        return await session

    return asyncio.run(main())


async def _session(
    compiled: CompiledPlan,
    prof: Any,
    clock: Clock,
    sim_model: str | None,
    device: str | None,
    yes: bool,
    remote_start: bool,
    sim_log: Path | None,
    record: bool = True,
    web: Listen | None = None,
    quiet: bool = False,
) -> int:
    import asyncio
    import contextlib

    from treadpace.broadcast.broadcaster import start_broadcast
    from treadpace.clock import VirtualClock
    from treadpace.commands.run_checks import (
        EXIT_SIGNALS,
        EXIT_STOP_UNCONFIRMED,
        final_exit_code,
        forget_a_hung_up_terminal,
        signal_name,
    )
    from treadpace.cues import wiring as cues
    from treadpace.engine import Command, Engine, EngineConfig, RunState
    from treadpace.mqtt import MqttBridge
    from treadpace.printable import printable
    from treadpace.record import NothingRecorded, Recorder, export_run
    from treadpace.treadmill.ftms_treadmill import FtmsTreadmill
    from treadpace.treadmill.port import TreadmillError
    from treadpace.ui.keys import KeyController, TerminalKeys
    from treadpace.ui.summary import print_summary

    interactive_out = sys.stdout.isatty()
    interactive_in = sys.stdin.isatty()
    hub = cues.cue_hub(prof.cues, clock)
    broadcaster = await start_broadcast(prof.broadcast, clock, hub)  # refused: one line, exit 2
    page = await _open_page(web, prof) if web is not None else None
    sim = None
    if sim_model is not None:
        from ftms_sim.treadmill import SimulatedTreadmill
        from treadpace.treadmill.sim import SimLink

        sim = SimulatedTreadmill(sim_model, clock, sim_log=sim_log)
        await sim.start()
        link: Any = SimLink(sim)
    else:
        assert device is not None
        link = _ble_link(device, clock)
    treadmill = FtmsTreadmill(link, clock)
    config = EngineConfig.from_profile(prof, countdown_s=0 if yes else 3)
    engine = Engine(treadmill, compiled, config, clock, hub)

    sinks: list[asyncio.Task[Any]] = []
    recorder = Recorder(prof.recording.directory) if record else None
    recorder_task = asyncio.create_task(recorder.consume(hub.subscribe())) if recorder else None
    if prof.mqtt.enabled:
        bridge = MqttBridge(
            prof.mqtt, commands=engine.remote_command, device_name=prof.name or "treadpace"
        )
        sinks.append(asyncio.create_task(bridge.run(hub.subscribe(maxsize=200))))
    if page is not None:
        from treadpace.web.page import follow

        sinks.append(asyncio.create_task(follow(page, engine.remote_command, hub.subscribe(200))))
    if broadcaster is not None:
        broadcaster.attach(treadmill)
        sinks.append(asyncio.create_task(broadcaster.run(hub.subscribe(maxsize=100))))
    # The simulated treadmill's own console: keys in a terminal, else (with --yes) a
    # runner at the machine who starts the belt and follows a guided run.
    console_keys, console_help = _sim_console(sim, clock, hub, sinks, yes and not interactive_in)
    silent = isinstance(clock, VirtualClock)
    speaker = cues.speaker(prof.cues, quiet=quiet, silent_clock=silent, terminal=interactive_out)
    if speaker is not None:
        sinks.append(asyncio.create_task(speaker.consume(hub.subscribe(maxsize=500))))
    controller = KeyController(engine.command, lambda: engine.state, console_keys)
    if interactive_out:
        from treadpace.ui.keys import HELP
        from treadpace.ui.live import LiveView

        view = LiveView()
        if interactive_in and console_help:
            view.help = f"{HELP} · {console_help}"
        sinks.append(asyncio.create_task(view.consume(hub.subscribe(maxsize=100))))

        def on_key() -> None:
            view.prompt = controller.prompt
            view.refresh(force=True)
    else:
        from treadpace.ui.plain import PlainLog

        plain = PlainLog()
        sinks.append(asyncio.create_task(plain.consume(hub.subscribe(maxsize=1000))))

        def on_key() -> None:
            pass

    received: list[int] = []
    engine_task = asyncio.ensure_future(engine.run())
    strap_task = (
        asyncio.create_task(_strap(prof.heart_rate.strap, treadmill, clock))
        if prof.heart_rate.strap
        else None
    )

    def on_signal(signum: int) -> None:
        received.append(signum)
        forget_a_hung_up_terminal(signum)
        engine.abort(f"interrupted ({signal_name(signum)})")
        if engine.state == RunState.IDLE or len(received) > 1:
            # Still connecting (nothing moves yet), or asked twice: cut it short. The
            # engine's own clean-up still stops a belt it started, with a bounded wait.
            engine_task.cancel()

    loop = asyncio.get_running_loop()
    for signum in EXIT_SIGNALS:
        loop.add_signal_handler(signum, on_signal, signum)
    result: RunFinished | None = None
    failure = ""
    refused = ""
    try:
        if remote_start:
            print("waiting for a start over MQTT (Ctrl+C to give up)", flush=True)
        else:
            await engine.command(Command.START)  # running the command is the explicit action
        with TerminalKeys(controller, on_key) if interactive_in else contextlib.nullcontext():
            try:
                result = await engine_task
            except asyncio.CancelledError:
                if not received:
                    raise
            except TreadmillError as exc:
                failure = str(exc)
            except UserError as exc:  # the profile does not fit this treadmill: nothing moved
                refused = str(exc)
            except Exception as exc:  # the belt is stopped by now; say what happened
                failure = f"{type(exc).__name__}: {exc}"
    finally:
        for signum in EXIT_SIGNALS:
            loop.remove_signal_handler(signum)
        hub.close()
        journal: Path | None = None
        try:
            journal = await recorder_task if recorder_task is not None else None
        except NothingRecorded as exc:
            if not refused:
                print(f"recording: {exc}", file=sys.stderr)
        if strap_task is not None:
            strap_task.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await strap_task
        for task in sinks:
            with contextlib.suppress(Exception):
                await task
        if broadcaster is not None:
            await broadcaster.stop()
        with contextlib.suppress(TreadmillError):
            await treadmill.disconnect()
        if sim is not None:
            await sim.close()
    if refused:
        print(f"error: {printable(refused)}", file=sys.stderr)
        return UserError.exit_code
    if result is not None:
        print_summary(result, prof.imperial, rich_output=interactive_out)
    short = recorder is not None and recorder.failed
    if short:
        _warn_short_journal(journal, prof.recording.directory)
    if journal is not None:
        if not short:
            print(f"recorded: {journal}")
        formats = list(prof.recording.auto_export)
        if formats:
            try:
                for path in export_run(journal, formats):
                    print(f"exported: {path}")
            except (UserError, OSError, ValueError) as exc:
                print(f"export failed: {exc}", file=sys.stderr)
    if failure:
        print(f"error: {printable(failure)}", file=sys.stderr)
    code = _exit_code(received, controller, result)
    if engine.belt_left_running:  # said last and loudest, whatever else ended the run
        from treadpace.treadmill.stop import NOT_CONFIRMED

        print(f"error: {NOT_CONFIRMED}", file=sys.stderr)
        code = EXIT_STOP_UNCONFIRMED
    return final_exit_code(code, journal_short=short)


def _exit_code(received: list[int], controller: KeyController, result: RunFinished | None) -> int:
    from treadpace.commands.run_checks import signal_exit_code
    from treadpace.engine import RunState

    if received:
        return signal_exit_code(received[0])
    if controller.stop_requested:
        return EXIT_INTERRUPTED
    if result is not None and result.state == RunState.FINISHED:
        return EXIT_FINISHED
    if result is not None and result.reason == "stopped by the runner":
        return EXIT_INTERRUPTED
    return EXIT_FAILED


def _warn_short_journal(journal: Path | None, directory: Path) -> None:
    """The run went on but its recording did not: say so where it cannot be missed."""
    where = str(journal) if journal is not None else f"no journal in {directory}"
    print(
        f"WARNING: the recording stopped short ({where}): it holds only the part of the"
        " run before the write failed (see the error above); exit 4",
        file=sys.stderr,
    )


async def _strap(strap: str, treadmill: FtmsTreadmill, clock: Clock) -> None:
    """Feed a strap's heart rate to the treadmill for the whole run; never fails the run."""
    import contextlib
    import logging

    from treadpace.treadmill.ble_heart_rate import HeartRateSource
    from treadpace.treadmill.port import TreadmillError

    # Its scan waits for the treadmill's in the BLE layer (ble_scan.scan_lock).
    source = HeartRateSource(strap, clock)
    try:
        await source.feed(treadmill)
    except TreadmillError as exc:
        logging.getLogger(__name__).warning("heart-rate strap %s: %s", strap, exc)
    finally:
        with contextlib.suppress(Exception):
            await source.close()


def _sim_console(
    sim: Any, clock: Clock, hub: Any, sinks: list[Any], unattended: bool
) -> tuple[dict[str, Any], str]:
    """The simulator's console keys and help (none without the simulator), and its runner."""
    if sim is None:
        return {}, ""
    import asyncio

    from ftms_sim.runner import ConsoleRunner
    from treadpace.commands.sim_console import console_keys, follow_the_screen

    if unattended:
        runner = ConsoleRunner(sim, clock)
        sinks.append(asyncio.create_task(follow_the_screen(runner, hub.subscribe())))
    return console_keys(sim)


async def _open_page(web: Listen, prof: Any) -> WebServer:
    from treadpace.web.page import open_page

    return await open_page(web, allow_remote_start=bool(prof.mqtt.allow_remote_start))


def _ble_link(target: str, clock: Clock) -> Any:
    from treadpace.treadmill.ble import BleakLink

    return BleakLink(target, clock, progress=lambda line: print(line, flush=True))
