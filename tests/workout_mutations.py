"""Damaged workout files made on purpose, seeded, and the one rule every importer keeps.

Shared by tests/workouts/test_workouts_fuzz.py (bounded, in every run of the suite) and
benchmarks/input_fuzz.py (100,000 and more, on demand). The rule: an importer gives
a plan mapping or raises `WorkoutError`, never another exception; a plan mapping it
gives is refused, if at all, by the plan loader's own `UserError`, like a YAML plan.

The damage is aimed at each format's parser, not only at its outer checks: a .zwo or
intervals.icu file gets characters, numbers (up to thousands of digits), tokens and
lines changed; a FIT file gets bytes changed in its records and its checksum
recomputed, so the decoder and the step reader see the damage instead of a bad CRC.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from tests.workout_files import RUNNER, fit_steps, fit_workout
from treadpace.base.user_error import UserError
from treadpace.plans import compile_plan, load_plan
from treadpace.plans.loader import plan_from_document
from treadpace.plans.yaml_document import Document
from treadpace.workouts import WorkoutError, import_bytes
from treadpace.workouts.fit import write_fit

PLANS = Path(__file__).resolve().parents[1] / "configs" / "plans"

ZWO = b"""<workout_file>
  <name>Zwift run</name>
  <sportType>run</sportType>
  <durationType>time</durationType>
  <workout>
    <Warmup Duration="300" PowerLow="0.70" PowerHigh="0.85" pace="1"/>
    <SteadyState Duration="600" Power="0.95" pace="2">
      <textevent timeoffset="10" message="settle in"/>
    </SteadyState>
    <IntervalsT Repeat="3" OnDuration="60" OffDuration="90" OnPower="1.0" OffPower="0.75"/>
    <Ramp Duration="120" PowerLow="0.8" PowerHigh="1.1"/>
    <FreeRide Duration="120"/>
    <Cooldown Duration="300" PowerLow="0.8" PowerHigh="0.7" pace="4"/>
  </workout>
</workout_file>
"""
ZWO_THRESHOLD = ZWO.replace(b"<workout>", b"<thresholdSecPerKm>270</thresholdSecPerKm><workout>")
ICU = b"""Warmup
- 10m ramp 60-80% Pace

Main set 3x
- hard 1km 4:50-5:00/km
- float 2m Z1 Pace

- 5'30" 85% Pace
- 400mtr 7:30/mi
- 1h2m3s 9:00/mi
- 1mi Z3 Pace
Cooldown
- 10m freeride
"""

NUMBERS = (
    "0", "-1", "1e308", "1e309", "nan", "inf", "0.0000001", "100", "101", "65535",
    "9" * 308, "9" * 400, "9" * 4301, "1" + "0" * 4300, "3.5", "",
)  # fmt: skip
"""Numbers (and not-quite numbers) to put where a format has one."""
TOKENS = (
    "x", "-", "%", "/km", "/mi", "Pace", "ramp", "Z9", "Z0", "km", "mi", "mtr", "h", "m", "s",
    "'", '"', ":", "-", "x ", "\n- ", "\n", "\n\n", "100x", "0x", "<", ">", "&", "&#0;",
    "<SteadyState/>", "<IntervalsT/>", 'Duration="', "&amp;", "\x00", "\ud800", "é",
)  # fmt: skip


def _decoded(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def mutate_text(rng: random.Random, data: bytes) -> bytes:
    """`data` (text: .zwo or intervals.icu) with one to four edits: numbers, tokens, cuts."""
    text = _decoded(data)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(text) + 1)
        what = rng.randrange(5)
        if what == 0:  # a number where one was
            digits = [i for i, c in enumerate(text) if c.isdigit()]
            if digits:
                at = rng.choice(digits)
                end = at
                while end < len(text) and (text[end].isdigit() or text[end] == "."):
                    end += 1
                text = text[:at] + rng.choice(NUMBERS) + text[end:]
        elif what == 1:
            text = text[:at] + rng.choice(TOKENS) + text[at:]
        elif what == 2:
            text = text[:at] + text[at + rng.randint(1, 12) :]
        elif what == 3:
            text = text[:at] + chr(rng.randrange(32, 0x3000)) + text[at + 1 :]
        else:
            lines = text.split("\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines.insert(i, lines[j])
            text = "\n".join(lines)
    return text.encode("utf-8", "surrogatepass")


def _fit_crc(data: bytearray) -> None:
    from garmin_fit_sdk.crc_calculator import CrcCalculator

    end = len(data) - 2
    data[end:] = CrcCalculator.calculate_crc(data, 0, end).to_bytes(2, "little")


def mutate_fit(rng: random.Random, data: bytes) -> bytes:
    """`data` with one to four bytes of its records changed, its checksum made to match."""
    out = bytearray(data)
    header = out[0]
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(header, len(out) - 2)
        if rng.random() < 0.5:
            out[at] = rng.randrange(256)
        else:
            out[at] ^= 1 << rng.randrange(8)
    _fit_crc(out)
    return bytes(out)


def seeds() -> dict[str, list[bytes]]:
    """Well-formed files of each format to damage: repeats, ramps, paces, zones, free steps."""
    fit = [fit_workout(fit_steps())]
    for name in ("thirds", "cruise-intervals", "ramp-incline", "fast-finish"):
        plan = compile_plan(load_plan(PLANS / f"{name}.yaml"), RUNNER, name)
        fit.append(write_fit(plan, 1_700_000_000.0))
    return {"zwo": [ZWO, ZWO_THRESHOLD], "icu": [ICU], "fit": fit}


MUTATORS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "zwo": mutate_text,
    "icu": mutate_text,
    "fit": mutate_fit,
}


def import_once(data: bytes, fmt: str) -> str:
    """ "plan", "refused" (WorkoutError) or "invalid" (the loader's UserError) for one file.

    Anything else propagates: the fuzz's failure.
    """
    try:
        imported = import_bytes(data, f"fuzz.{fmt}", fmt)
    except WorkoutError as exc:
        assert type(exc) is WorkoutError and "\n" not in str(exc), repr(exc)
        return "refused"
    try:
        plan = plan_from_document(Document(path=f"fuzz.{fmt}", data=imported.plan))
        compile_plan(plan, RUNNER, f"fuzz.{fmt}")
    except UserError as exc:
        assert str(exc).strip(), repr(exc)
        return "invalid"
    return "plan"
