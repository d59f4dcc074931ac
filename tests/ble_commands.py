"""The command line against the BlueZ stand-in: a real subprocess on the private bus.

The stand-in (`treadpace_sim.bluez.FakeBlueZ`) serves from the test's event loop while
`treadpace_on_bus` runs the command as a child on the same private bus (the
environment the `private_bus` fixture set), so its bleak is the real, unmodified one.
`ADDR` is the simulated treadmill's address; `brisk` a shipped model whose belt stops
within one telemetry period; `pod_model` the footpod model with a pod of a given name.
"""

from __future__ import annotations

import os
from dataclasses import replace

from tests.run_proc import treadpace_async_in
from treadpace_sim.model import TreadmillModel, load_model

ADDR = "C0:FF:EE:18:26:01"


def brisk(name: str) -> TreadmillModel:
    """Shipped model `name` with a belt that stops within one telemetry period: these runs
    wait on the command, not on a belt slowing down (stopping has its own tests)."""
    model = load_model(name)
    return replace(model, belt=replace(model.belt, acceleration_kmh_s=5, deceleration_kmh_s=5))


def pod_model(name: str) -> TreadmillModel:
    """slow-truth with a noiseless pod named `name` (so a reading is the true speed)."""
    model = load_model("slow-truth")
    assert model.footpod is not None
    return replace(model, footpod=replace(model.footpod, noise_kmh=0.0, local_name=name))


async def treadpace_on_bus(
    *args: str, env: dict[str, str] | None = None, timeout: float = 30
) -> tuple[int, str, str]:
    """The command in this environment (the private bus's), or in `env`."""
    return await treadpace_async_in(env or os.environ, *args, timeout=timeout, cwd=None)
