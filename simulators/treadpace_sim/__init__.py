"""treadpace_sim: a byte-faithful FTMS treadmill in software.

- `model`: treadmill models from YAML (`load_model`, `list_models`); the model itself and
  its quirk flags are `model_spec`. The files' pydantic schemas are `model_file` and
  `fault_file`, their field types `schema`.
- `belt`: pure belt physics. `server`: the pure FTMS server state machine, with
  `control` (one handler per Control Point request type), `gatt` (characteristics and
  fixed values) and `telemetry` (Treadmill Data records).
- `faults`: scripted faults (`fault_spec` is the `Fault` record).
  `simlog`: the JSON-lines command log.
- `treadmill.SimulatedTreadmill`: the async driver on an injected clock, with the
  GATT-ish surface the in-process link and the BlueZ front end sit on.

Importing this package stays cheap (no asyncio work, no pydantic).
"""

from treadpace_sim.att_error import AttError, LinkDown
from treadpace_sim.faults import Fault, load_faults
from treadpace_sim.model import TreadmillModel, list_models, load_model

__all__ = [
    "AttError",
    "Fault",
    "LinkDown",
    "TreadmillModel",
    "list_models",
    "load_faults",
    "load_model",
]
