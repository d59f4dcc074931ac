"""The machine's Total Distance counter, which is not the belt's distance since Start.

Real treadmills report Total Distance as they see fit: the distance since power-on,
a lifetime odometer that neither a Reset nor a reboot clears, a counter that jumps
when the firmware folds in a stored figure. The belt (`Belt.distance_m`) keeps the
physical distance for the physics and the average speed; this counter adds the
machine's own base to it for what goes on the wire.
"""

from __future__ import annotations

from treadpace_sim.belt import Belt

_MAX = 0xFFFFFF  # uint24 metres on the wire


class MachineOdometer:
    """Total Distance = a base (the machine's own) + the belt's distance since its reset."""

    __slots__ = ("base_m", "resets")

    def __init__(self, start_m: float = 0.0, resets: bool = True) -> None:
        self.base_m = start_m
        self.resets = resets
        """False: a lifetime odometer, kept through a Reset and a reboot."""

    def total_m(self, belt: Belt) -> int:
        return max(0, min(int(self.base_m + belt.distance_m), _MAX))

    def before_reset(self, belt: Belt) -> None:
        """The belt's counters are about to be zeroed: a lifetime odometer keeps counting."""
        if not self.resets:
            self.base_m += belt.distance_m
        else:
            self.base_m = 0.0

    def jump(self, delta_m: float) -> None:
        """The firmware's total jumps by `delta_m` (either way) without the belt moving."""
        self.base_m += delta_m
