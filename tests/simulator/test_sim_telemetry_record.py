"""The simulator's Treadmill Data record, made from one dict, is the constructor's record.

`telemetry.treadmill_record` builds one record a packet from one dict
(base/frozen_record.py) rather than through the frozen dataclass's `__init__`: for
every shipped model, running, each record has exactly TreadmillData's fields, the
model's own values, and equals (and hashes as) the record the constructor makes.
"""

from __future__ import annotations

import dataclasses

import pytest

from treadpace.ftms import TreadmillData
from treadpace_sim.ftms_server import FtmsServer
from treadpace_sim.model import list_models, load_model

NAMES = {f.name for f in dataclasses.fields(TreadmillData)}


@pytest.mark.parametrize("name", list_models())
def test_each_record_is_the_one_the_constructor_makes(name: str) -> None:
    srv = FtmsServer(load_model(name))
    srv.belt.start()  # as a runner at the console would (some models take no commands)
    srv.belt.set_target_speed(10.0)
    srv.belt.set_target_incline(2.0)
    for _ in range(20):
        srv.tick(0.5)
        record = srv.record()
        assert set(vars(record)) == NAMES
        built = TreadmillData(**vars(record))
        assert record == built and hash(record) == hash(built)
        with pytest.raises(dataclasses.FrozenInstanceError):
            record.speed_kmh = 0.0  # type: ignore[misc]
    speed = srv.record().speed_kmh
    assert speed is not None and speed > 1.0  # the belt moved: the records were not idle
