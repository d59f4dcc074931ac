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
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from treadpace.base.user_error import UserError
from treadpace.commands.options import DeviceOption, ModelOption, ProfileOption

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from treadpace.base.clock import Clock
    from treadpace.base.listen import Listen
    from treadpace.plans.profile import Profile
    from treadpace.plans.steps import CompiledPlan
    from treadpace.session import RunOutcome, SessionSetup
    from treadpace_sim.treadmill import SimulatedTreadmill

VIRTUAL_CLOCK_ENV = "TREADPACE_VIRTUAL_CLOCK"
"""Set to 1 to run on the virtual clock (tests: an hour-long plan in a blink)."""

EXIT_FINISHED = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)


def run_command(
    plan: Annotated[
        str,
        typer.Argument(help="Plan file, or a plan name (e.g. thirds; see `treadpace plan list`)."),
    ],
    profile: ProfileOption = None,
    simulate: Annotated[
        bool, typer.Option("--simulate", help="Use the software treadmill.")
    ] = False,
    model: ModelOption = None,
    device: DeviceOption = None,
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
    from treadpace.commands.icu_plans import load_and_compile
    from treadpace.plans.broadcast_settings import with_broadcast_options
    from treadpace.web.page import resolve_listen

    run_checks.check_time_scale(time_scale)
    run_checks.check_treadmill_options(simulate=simulate, model=model, device=device)
    compiled, prof = load_and_compile(plan, profile)
    listen = resolve_listen(web, web_listen, prof)
    if remote_start:
        _check_remote_start(prof)
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
    _warn_spike(compiled, prof)
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


def _warn_spike(compiled: CompiledPlan, prof: Profile) -> None:
    """One line before the countdown when the plan is far longer than the last 30 days' runs."""
    from treadpace.program.spike_guard import spike_warning
    from treadpace.record.runs import list_runs

    spike = spike_warning(compiled, list_runs(prof.recording.directory), time.time(), prof.imperial)
    if spike is not None:
        print(f"warning: {spike}")


def _check_remote_start(prof: Profile) -> None:
    """Refuse to wait for a remote start that the engine's gate would never let through."""
    from treadpace.engine.gate import remote_wait_refusal

    refusal = remote_wait_refusal(
        remote_start_allowed=prof.mqtt.allow_remote_start, mqtt_enabled=prof.mqtt.enabled
    )
    if refusal is not None:
        raise UserError(f"--remote-start: {refusal}")


def _run(
    compiled: CompiledPlan,
    prof: Profile,
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
    from treadpace.base.clock import ScaledClock, VirtualClock
    from treadpace.session import SessionSetup
    from treadpace.session.signals import LateSignals

    clock: Clock = VirtualClock() if virtual else ScaledClock(time_scale)
    interactive_out = sys.stdout.isatty()
    interactive_in = sys.stdin.isatty()
    pod = prof.footpod.target if prof.footpod is not None else None
    treadmill = treadmill_parts(
        sim_model, device, clock, sim_log, unattended=yes and not interactive_in, footpod=pod
    )
    late = LateSignals()  # a signal after the engine is done: the exports and report finish
    setup = SessionSetup(
        compiled=compiled,
        profile=prof,
        clock=clock,
        yes=yes,
        remote_start=remote_start,
        record=record,
        web=web,
        quiet=quiet,
        interactive_in=interactive_in,
        interactive_out=interactive_out,
        late_signals=late,
        **treadmill,
    )

    with late:
        outcome = play(setup)
        return _report(outcome, prof, rich_output=interactive_out)


def play(setup: SessionSetup) -> RunOutcome:
    """Run one session to its end on its clock (a virtual one is driven), in a new loop."""
    import asyncio

    from treadpace.base.clock import VirtualClock
    from treadpace.session import RunSession

    async def session() -> RunOutcome:
        async with RunSession(setup) as running:
            return await running.run()

    async def main() -> RunOutcome:
        if isinstance(setup.clock, VirtualClock):
            return await setup.clock.drive(session())
        return await session()

    return asyncio.run(main())


def _report(outcome: RunOutcome, prof: Profile, *, rich_output: bool) -> int:
    """Say how the run ended, in the order a runner reads it, and pick the exit code."""
    from treadpace.base.printable import printable
    from treadpace.ui.summary_table import print_summary

    if outcome.nothing_recorded:
        print(f"recording: {outcome.nothing_recorded}", file=sys.stderr)
    if outcome.refused:
        print(f"error: {printable(outcome.refused)}", file=sys.stderr)
        return UserError.exit_code
    if outcome.result is not None:
        print_summary(outcome.result, prof.imperial, rich_output=rich_output)
    if not outcome.recording_complete:
        _warn_short_journal(outcome.journal, prof.recording.directory)
    elif outcome.journal is not None:
        print(f"recorded: {outcome.journal}")
    for path in outcome.exports:
        print(f"exported: {path}")
    if outcome.export_error:
        print(f"export failed: {outcome.export_error}", file=sys.stderr)
    if (
        prof.sync.after_run
        and outcome.belt_stop_confirmed
        and outcome.recording_complete
        and outcome.journal is not None
    ):
        from treadpace.commands.sync_runs import after_run_sync

        after_run_sync(prof, outcome.journal)  # the belt has stopped; bounded, never raises
    if outcome.failure:
        print(f"error: {printable(outcome.failure)}", file=sys.stderr)
    if not outcome.belt_stop_confirmed:  # said last and loudest, whatever else ended the run
        from treadpace.engine.causes import NOT_CONFIRMED

        print(f"error: {NOT_CONFIRMED}", file=sys.stderr)
    return exit_code(outcome)


def exit_code(outcome: RunOutcome) -> int:
    """The run's exit code: 3 beats 4 beats a signal, a stop at the keys, the plan's end."""
    from treadpace.commands.run_checks import (
        EXIT_STOP_UNCONFIRMED,
        final_exit_code,
        signal_exit_code,
    )
    from treadpace.engine import RunState
    from treadpace.engine.causes import EndCause

    if outcome.refused:
        return UserError.exit_code
    if not outcome.belt_stop_confirmed:
        return EXIT_STOP_UNCONFIRMED
    result = outcome.result
    if outcome.signal is not None:
        code = signal_exit_code(outcome.signal)
    elif outcome.stop_requested:
        code = EXIT_INTERRUPTED
    elif result is not None and result.state == RunState.FINISHED:
        code = EXIT_FINISHED
    elif result is not None and result.end_cause == EndCause.RUNNER_STOP:
        code = EXIT_INTERRUPTED
    else:
        code = EXIT_FAILED
    return final_exit_code(code, journal_short=not outcome.recording_complete)


def _warn_short_journal(journal: Path | None, directory: Path) -> None:
    """The run went on but its recording did not: say so where it cannot be missed."""
    where = str(journal) if journal is not None else f"no journal in {directory}"
    print(
        f"WARNING: the recording stopped short ({where}): it holds only the part of the"
        " run before the write failed (see the error above); exit 4",
        file=sys.stderr,
    )


def treadmill_parts(
    sim_model: str | None,
    device: str | None,
    clock: Clock,
    sim_log: Path | None,
    *,
    unattended: bool,
    footpod: str | None = None,
) -> dict[str, Any]:
    """The session's link to the treadmill: the simulator (with its console), or Bluetooth.

    Also the runner's footpod: the simulator's own when its model has one, else the
    profile's pinned pod on a real treadmill; and the machine's identity, which picks
    its calibration.
    """
    if sim_model is None:
        assert device is not None
        parts: dict[str, Any] = {"link": _ble_link(device, clock), "machine": device}
        if footpod is not None:
            from treadpace.treadmill.footpod import BleFootpod

            parts["footpod"] = BleFootpod(footpod, clock)
        return parts
    from treadpace.treadmill.footpod import SimFootpod
    from treadpace.treadmill.sim import SimLink
    from treadpace_sim.treadmill import SimulatedTreadmill

    sim = SimulatedTreadmill(sim_model, clock, sim_log=sim_log)
    pod = SimFootpod(sim, clock) if sim.footpod is not None else None
    return {
        "link": SimLink(sim),
        "sim": sim,
        "machine": machine_identity(sim.model.name, None),
        "footpod": pod,
        **_sim_console(sim, clock, unattended=unattended),
    }


def machine_identity(sim_model: str | None, device: str | None) -> str:
    """The key a treadmill's calibration is saved under: its address, or the simulator model."""
    return device if sim_model is None and device else f"simulator:{sim_model}"


def _sim_console(sim: SimulatedTreadmill, clock: Clock, *, unattended: bool) -> dict[str, Any]:
    """The simulator's console keys and help, and (unattended) a runner at its console."""
    from treadpace.commands.sim_console import console_keys, follow_the_screen
    from treadpace.engine.hub import Subscription

    keys, help_text = console_keys(sim)
    parts: dict[str, Any] = {"console_keys": keys, "console_help": help_text}
    if unattended:
        from treadpace_sim.console_runner import ConsoleRunner

        runner = ConsoleRunner(sim, clock)

        def follow(sub: Subscription) -> Coroutine[Any, Any, None]:
            return follow_the_screen(runner, sub)

        parts["console_runner"] = follow
    return parts


def _ble_link(target: str, clock: Clock) -> Any:
    from treadpace.treadmill.ble import BleakLink

    return BleakLink(target, clock, progress=lambda line: print(line, flush=True))
