"""Who hears what the simulated machine does, and what a belt record says.

Observers (the JSON-lines `SimLog`, a test, a front end) get `(t, record)` for
every command, console action, fault, link event and the belt once per second,
`t` in simulator seconds since `start()`. The belt record is built in one place
so the per-second record and the projected final one cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable

from treadpace_sim.belt import Belt, BeltState

Observer = Callable[[float, dict[str, object]], None]


def belt_record(b: Belt) -> dict[str, object]:
    return {
        "event": "belt",
        "speed_kmh": round(b.speed_kmh, 2),
        "incline_percent": round(b.incline_percent, 1),
        "distance_m": round(b.distance_m, 1),
        "state": b.state.value,
        "target_speed_kmh": round(b.target_speed_kmh, 2),
        "heart_rate_bpm": round(b.heart_rate_bpm),
    }


def project_wind_down(b: Belt, t: float, observers: Observers) -> None:
    """A belt still slowing down when the simulator closes keeps slowing on its own.

    A real treadmill outlives the program that drove it, so after the `stop` event the
    log ends with where the belt comes to rest and when (marked `"projected": true`);
    `t` is the simulator time of the close.
    """
    if b.state not in (BeltState.STOPPING, BeltState.PAUSING):
        return
    remaining = b.next_transition_in() or 0.0
    b.advance(remaining)
    if observers:
        observers.emit(t + remaining, {**belt_record(b), "projected": True})


class Observers:
    """The observers of one machine."""

    def __init__(self, observers: list[Observer]) -> None:
        self._observers = observers

    def __bool__(self) -> bool:
        return bool(self._observers)

    def add(self, observer: Observer) -> None:
        self._observers.append(observer)

    def emit(self, t: float, record: dict[str, object]) -> None:
        for observer in self._observers:
            observer(t, record)
