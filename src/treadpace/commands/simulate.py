"""`treadpace simulate`: run the software treadmill headless and print what it does.

Without a client the belt only moves when a fault script presses its console keys,
so this is mostly a host for other front ends (`--ble` makes it a real Bluetooth
peripheral) and a way to try a model or a faults file. `--list` shows the models.

    treadpace simulate --list
    treadpace simulate --model slow-belt --faults faults.yaml --duration 120 --virtual
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from treadpace.base.user_error import UserError

if TYPE_CHECKING:
    import asyncio

    from treadpace.base.clock import Clock
    from treadpace_sim.treadmill import SimulatedTreadmill

CLEANUP_S = 2.0
"""How long front ends and the simulator get to close after a signal (real seconds)."""

FrontEnd = Callable[["SimulatedTreadmill"], Coroutine[object, object, None]]
"""Something that serves the simulator to clients until cancelled (e.g. the BlueZ app)."""


class ConsolePrinter:
    """Observer that prints commands, console actions, faults, link events and the belt."""

    def __init__(self, every: float = 10.0, echo: Callable[[str], None] = typer.echo) -> None:
        self.every = every
        self.echo = echo
        self._next_belt = 0.0
        self._last_state: object = None

    def __call__(self, t: float, r: dict[str, object]) -> None:
        event = r.get("event")
        stamp = f"{t:9.3f} s"
        if event == "belt":
            changed = r.get("state") != self._last_state
            self._last_state = r.get("state")
            if not changed and t + 1e-9 < self._next_belt:
                return
            self._next_belt = t + self.every
            self.echo(
                f"{stamp}  belt     {r['state']:<9} {float(r['speed_kmh']):6.2f} km/h  "  # type: ignore[arg-type]
                f"{float(r['incline_percent']):5.1f} %  {float(r['distance_m']):8.1f} m  "  # type: ignore[arg-type]
                f"HR {r.get('heart_rate_bpm')}"
            )
        elif event == "command":
            params = " ".join(
                f"{k}={v}" for k, v in r.items() if k not in ("event", "op", "result", "error")
            )
            self.echo(
                f"{stamp}  write    {r['op']} {params} -> {r['result']}".replace("  ->", " ->")
            )
        elif event in ("console", "fault"):
            detail = " ".join(f"{k}={v}" for k, v in r.items() if k not in ("event", "action"))
            self.echo(f"{stamp}  {event:<8} {r.get('action')} {detail}".rstrip())
        elif event == "link":
            detail = " ".join(f"{k}={v}" for k, v in r.items() if k not in ("event", "action"))
            self.echo(f"{stamp}  link     {r.get('action')} {detail}".rstrip())
        elif event in ("start", "stop"):
            self.echo(f"{stamp}  sim      {event} {r.get('model', '')}".rstrip())


async def run_headless(
    sim: SimulatedTreadmill,
    clock: Clock,
    duration: float | None,
    front_ends: list[FrontEnd] | None = None,
) -> None:
    """Run `sim` for `duration` simulator seconds (None: until cancelled), with front ends.

    A front end that fails ends the run with its error: carrying on headless would
    look like a working peripheral that nobody can find.
    """
    import asyncio

    await sim.start()
    tasks: list[asyncio.Task[None]] = [
        asyncio.create_task(fe(sim), name=f"front end {fe.__qualname__}") for fe in front_ends or []
    ]
    until = asyncio.Event().wait() if duration is None else clock.sleep(duration)
    waiter: asyncio.Task[object] = asyncio.create_task(until, name="simulate-until")
    try:
        pending: set[asyncio.Task[Any]] = {waiter, *tasks}
        while waiter in pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # a front end's error ends the run here
    finally:
        for task in (waiter, *tasks):
            task.cancel()
        # Collected, not raised: the error that ended the run is already on its way. Bounded:
        # a front end whose bus no longer answers must not keep a signal from ending us.
        ending = asyncio.gather(waiter, *tasks, return_exceptions=True)
        try:
            await asyncio.wait_for(asyncio.shield(ending), CLEANUP_S)
            await asyncio.wait_for(sim.close(), CLEANUP_S)
        except TimeoutError:
            typer.echo(f"still closing after {CLEANUP_S:g} s: leaving anyway", err=True)


def simulate(
    model: str = "generic",
    faults_file: Path | None = None,
    sim_log: Path | None = None,
    time_scale: float = 1.0,
    duration: float | None = None,
    virtual: bool = False,
    every: float = 10.0,
    front_ends: list[FrontEnd] | None = None,
) -> None:
    """Build the simulator from the options and run it (shared by `--ble`)."""
    import asyncio

    from treadpace.base.clock import ScaledClock, VirtualClock
    from treadpace.commands.run_checks import check_seconds, check_sim_log, check_time_scale
    from treadpace_sim.att_error import FrontEndError
    from treadpace_sim.faults import load_faults
    from treadpace_sim.model import load_model
    from treadpace_sim.treadmill import SimulatedTreadmill

    check_time_scale(time_scale)
    check_seconds(duration, "--duration")
    check_seconds(every, "--every")
    if sim_log is not None:
        check_sim_log(sim_log)
    if virtual and duration is None:
        raise UserError("--virtual: expected --duration too (virtual time would never end)")
    treadmill_model = load_model(model)
    faults = load_faults(faults_file) if faults_file is not None else []

    async def main() -> None:
        clock: Clock = VirtualClock() if virtual else ScaledClock(time_scale)
        sim = SimulatedTreadmill(
            treadmill_model,
            clock,
            faults=faults,
            sim_log=sim_log,
            observers=[ConsolePrinter(every)],
        )
        run = run_headless(sim, clock, duration, front_ends)
        if isinstance(clock, VirtualClock):
            await clock.drive(run)
        else:
            await run

    try:
        asyncio.run(main())
    except FrontEndError as exc:
        raise UserError(str(exc)) from None


def list_command() -> None:
    from treadpace_sim.model import list_models, load_model

    for name in list_models():
        typer.echo(f"{name:<20} {load_model(name).description}")


def register(app: typer.Typer) -> None:
    @app.command("simulate")
    def simulate_command(
        model: Annotated[
            str, typer.Option("--model", "-m", help="Model name (see --list) or a model YAML path.")
        ] = "generic",
        faults: Annotated[
            Path | None, typer.Option("--faults", help="YAML file of scripted faults.")
        ] = None,
        sim_log: Annotated[
            Path | None,
            typer.Option(
                "--sim-log",
                help="Write commands and belt state as JSON lines here.",
                readable=False,  # written, not read: run_checks.check_sim_log says why not
            ),
        ] = None,
        time_scale: Annotated[
            float, typer.Option("--time-scale", help="Run N times faster than real time.")
        ] = 1.0,
        duration: Annotated[
            float | None,
            typer.Option("--duration", help="Stop after S simulator seconds (default: Ctrl+C)."),
        ] = None,
        virtual: Annotated[
            bool,
            typer.Option("--virtual", help="Virtual time: run --duration as fast as possible."),
        ] = False,
        every: Annotated[
            float, typer.Option("--every", help="Print the belt every S seconds (and on changes).")
        ] = 10.0,
        list_models_: Annotated[
            bool, typer.Option("--list", help="List the treadmill models and exit.")
        ] = False,
        ble: Annotated[
            bool,
            typer.Option(
                "--ble", help="Be a Bluetooth LE treadmill: a GATT peripheral app on BlueZ."
            ),
        ] = False,
        ble_adapter: Annotated[
            str, typer.Option("--ble-adapter", help="BlueZ adapter to advertise on (with --ble).")
        ] = "hci0",
        footpod_adapter: Annotated[
            str | None,
            typer.Option(
                "--footpod-adapter",
                help="BlueZ adapter for the model's footpod, a device of its own (with --ble; "
                "default: --ble-adapter, where BlueZ serves both from one address).",
            ),
        ] = None,
    ) -> None:
        """Run the software FTMS treadmill headless and print what it does."""
        if list_models_:
            list_command()
            return
        front_ends = _ble_front_ends(ble_adapter, footpod_adapter, virtual) if ble else None
        simulate(model, faults, sim_log, time_scale, duration, virtual, every, front_ends)


def _ble_front_ends(adapter: str, footpod_adapter: str | None, virtual: bool) -> list[FrontEnd]:
    """The BlueZ peripherals for `--ble` (the treadmill, and its footpod when the model has
    one), once the adapters are known to be usable."""
    if virtual:
        raise UserError("--ble: a Bluetooth peripheral needs real time (drop --virtual)")
    import asyncio

    from treadpace.base.optional import require_dbus

    require_dbus("--ble")
    from treadpace_sim.bluez import footpod_app
    from treadpace_sim.bluez.peripheral import check, front_end

    pod_adapter = footpod_adapter or adapter
    for name in dict.fromkeys((adapter, pod_adapter)):
        try:
            asyncio.run(check(name))
        except RuntimeError as exc:
            raise UserError(f"--ble: {exc}") from None
    return [front_end(adapter), footpod_app.front_end(pod_adapter)]
