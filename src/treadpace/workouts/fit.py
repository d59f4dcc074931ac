"""Garmin FIT workout files (File Id type workout, a Workout, Workout Steps), read and written.

Read with garmin-fit-sdk: time steps (seconds), distance steps (metres), speed
targets as a custom low/high range (a pace range whose middle the belt runs)
or one speed, and repeat steps (`repeat_until_steps_cmplt`, nestable). An open
target is a free step (the runner sets the speed on the console), a step ended
by the lap button (`open` duration) an open step (ended by a skip). Refused by
name: a step ended by heart rate or calories, speed zones (they live on the
watch), heart-rate, cadence and power targets.

Written with fit-tool: one step per compiled step, the target a pace window of
±5 s/km around its pace (watches want a range); a speed ramp becomes four
steps at the mean speed of each quarter, since FIT has no ramp. Incline has no
field in a FIT workout.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from treadpace.plans.steps import CompiledPlan, CompiledStep, StepRole
from treadpace.workouts.common import (
    Imported,
    WorkoutError,
    check_size,
    custom_plan,
    distance_field,
    duration_field,
    kmh_text,
    pace_range_text,
)

PACE_WINDOW_S = 5.0
RAMP_PARTS = 4
_ROLES_READ = {"warmup": StepRole.WARMUP, "cooldown": StepRole.COOLDOWN,
               "recovery": StepRole.RECOVERY, "rest": StepRole.RECOVERY}  # fmt: skip
"""A step's FIT `intensity` as a role; active, interval and other (or none) are efforts."""


def fit_intensity(role: StepRole) -> Any:
    """The FIT `intensity` of a role, for workout steps and activity laps alike."""
    from fit_tool.profile.profile_type import Intensity

    return {
        StepRole.WARMUP: Intensity.WARMUP,
        StepRole.ACTIVE: Intensity.ACTIVE,
        StepRole.RECOVERY: Intensity.RECOVERY,
        StepRole.COOLDOWN: Intensity.COOLDOWN,
    }[role]


def _decode(data: bytes) -> dict[str, list[dict[str, Any]]]:
    from garmin_fit_sdk import Decoder, Stream

    if not Decoder(Stream.from_byte_array(bytearray(data))).is_fit():
        raise WorkoutError("(file): expected a FIT file (no FIT header)")
    if not Decoder(Stream.from_byte_array(bytearray(data))).check_integrity():
        raise WorkoutError("(file): expected a whole FIT file (its checksum does not match)")
    # Each check reads the stream to its end: decode from a fresh one.
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    messages: Any
    errors: Any
    messages, errors = decoder.read(convert_datetimes_to_dates=False)
    if errors:
        raise WorkoutError(f"(file): expected a readable FIT file ({errors[0]})")
    return {str(k): list(v) for k, v in dict(messages).items()}


def _number(step: dict[str, Any], key: str, where: str, default: float | None = None) -> float:
    """A step's field as a number. A damaged file can hold anything in it (a list when a
    field's size is a multiple of its type's, a string, nothing): WorkoutError names it."""
    value = step.get(key)
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        got = "nothing" if value is None else type(value).__name__
        raise WorkoutError(f"{where} {key}: expected a number, got {got}")
    if not math.isfinite(value):
        raise WorkoutError(f"{where} {key}: expected a number, got {value}")
    return float(value)


def _whole(step: dict[str, Any], key: str, where: str, default: int) -> int:
    value = _number(step, key, where, float(default))
    if value != int(value):
        raise WorkoutError(f"{where} {key}: expected a whole number, got {value:g}")
    return int(value)


def _target(step: dict[str, Any], where: str, notes: list[str]) -> dict[str, str | bool]:
    kind = step.get("target_type", "open")
    if kind == "open" or kind is None:
        return {"free": True}
    if kind != "speed":
        what = str(kind).replace("_", " ")
        raise WorkoutError(f"{where} target_type {kind}: {what} targets are not supported")
    zone = step.get("target_speed_zone") or 0
    if zone:
        raise WorkoutError(
            f"{where} target_speed_zone {zone}: speed zones live on the watch; "
            "expected a custom speed range"
        )
    low = _number(step, "custom_target_speed_low", where, 0.0)
    high = _number(step, "custom_target_speed_high", where, 0.0)
    if low < 0 or high < 0 or (low <= 0 and high <= 0):
        raise WorkoutError(f"{where} custom_target_speed: expected a speed above zero")
    low, high = sorted((low or high, high or low))
    if abs(high - low) < 1e-9:
        return {"speed": kmh_text(low * 3.6)}
    return {"pace": pace_range_text(1000.0 / high, 1000.0 / low)}


def _length(step: dict[str, Any], where: str) -> Mapping[str, str | bool]:
    kind = step.get("duration_type")
    if kind == "time":
        return duration_field(_number(step, "duration_time", where), f"{where} duration_time")
    if kind == "distance":
        metres = _number(step, "duration_distance", where)
        return distance_field(metres, f"{where} duration_distance")
    if kind == "open":
        return {"open": True}  # ended by the lap button: here, by the runner's skip
    raise WorkoutError(f"{where} duration_type {kind}: expected time or distance")


def read_fit(data: bytes, name: str) -> Imported:
    check_size(data)
    messages = _decode(data)
    file_ids = messages.get("file_id_mesgs") or [{}]
    if file_ids[0].get("type") != "workout":
        raise WorkoutError(f"file_id type: expected workout, got {file_ids[0].get('type')!r}")
    workout = (messages.get("workout_mesgs") or [{}])[0]
    sport = workout.get("sport", "running")
    if sport not in ("running", "generic"):
        raise WorkoutError(f"workout sport: expected running, got {sport!r}")
    notes: list[str] = []
    items: list[tuple[int, Any]] = []  # (index of the step that opened it, plan item)
    for i, step in enumerate(messages.get("workout_step_mesgs") or []):
        index = _whole(step, "message_index", f"workout_step {i}", i)
        where = f"workout_step {index}"
        if step.get("duration_type") == "repeat_until_steps_cmplt":
            back = _whole(step, "duration_step", where, 0)
            times = _whole(step, "repeat_steps", where, 0) or _whole(step, "target_value", where, 0)
            inner = [item for start, item in items if start >= back]
            if not inner or not 1 <= times <= 100:
                raise WorkoutError(f"{where} repeat: expected 1-100 times over earlier steps")
            items = [(s, it) for s, it in items if s < back]
            items.append((back, {"repeat": {"times": times, "segments": inner}}))
            continue
        segment = {
            "name": str(step.get("wkt_step_name") or f"step {index + 1}"),
            **_length(step, where),
            **_target(step, where, notes),
        }
        role = _ROLES_READ.get(str(step.get("intensity")))
        if role is not None:
            segment["role"] = role.value
        items.append((index, segment))
    title = str(workout.get("wkt_name") or name.rsplit(".", 1)[0])
    return Imported(
        custom_plan(title, f"Imported from {name} (FIT workout)", [it for _, it in items]), notes
    )


def _parts(step: CompiledStep) -> list[CompiledStep]:
    """The step, or RAMP_PARTS steps at the mean of each part of a ramp (FIT has none)."""
    if step.end_speed_kmh is None:
        return [step]
    share = step.amount / RAMP_PARTS
    return [
        replace(
            step,
            name=f"{step.name} {k + 1}/{RAMP_PARTS}",
            amount=share,
            speed_kmh=step.target_at((k + 0.5) / RAMP_PARTS),
            end_speed_kmh=None,
        )
        for k in range(RAMP_PARTS)
    ]


def workout_message(name: str, steps: int) -> Any:
    from fit_tool.profile.messages.workout_message import WorkoutMessage
    from fit_tool.profile.profile_type import Sport

    workout = WorkoutMessage()
    workout.workout_name = name[:40]
    workout.sport = Sport.RUNNING
    workout.num_valid_steps = steps
    return workout


def workout_step_values(index: int, step: CompiledStep) -> dict[str, Any]:
    """One Workout Step's fields by their profile names (`duration_time` is `duration_value`
    in seconds): the step's length, and a speed range around its pace (or its ramp)."""
    from fit_tool.profile.profile_type import WorkoutStepDuration, WorkoutStepTarget

    values: dict[str, Any] = {
        "message_index": index,
        "wkt_step_name": step.name[:40],
        "intensity": fit_intensity(step.role),
    }
    if step.open:
        values["duration_type"] = WorkoutStepDuration.OPEN  # the lap button ends it
    elif step.kind == "time":
        values["duration_type"] = WorkoutStepDuration.TIME
        values["duration_time"] = step.amount
    else:
        values["duration_type"] = WorkoutStepDuration.DISTANCE
        values["duration_distance"] = step.amount
    if step.free:
        values["target_type"] = WorkoutStepTarget.OPEN
        return values
    ends = (step.speed_kmh, step.end_speed_kmh or step.speed_kmh)
    slow_pace, fast_pace = 3600.0 / min(ends), 3600.0 / max(ends)
    values["target_type"] = WorkoutStepTarget.SPEED
    values["target_speed_zone"] = 0  # `target_value` of a speed target: 0 is a custom range
    values["custom_target_speed_low"] = 1000.0 / (slow_pace + PACE_WINDOW_S)
    values["custom_target_speed_high"] = 1000.0 / max(fast_pace - PACE_WINDOW_S, 1.0)
    return values


_STEP_PROPERTIES = {"wkt_step_name": "workout_step_name"}
"""fit-tool's property for a field where the two names differ."""


def workout_step_message(index: int, step: CompiledStep) -> Any:
    """`workout_step_values` as a fit-tool message, set in that order through its properties."""
    from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage

    message = WorkoutStepMessage()
    for name, value in workout_step_values(index, step).items():
        setattr(message, _STEP_PROPERTIES.get(name, name), value)
    return message


def write_fit(plan: CompiledPlan, created_unix_s: float | None = None) -> bytes:
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.profile_type import FileType

    parts = [part for step in plan.steps for part in _parts(step)]
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = 255  # development
    file_id.product = 1
    file_id.serial_number = 0x54504331
    file_id.time_created = int(created_unix_s if created_unix_s is not None else time.time()) * 1000
    builder.add(file_id)
    builder.add(workout_message(plan.name, len(parts)))
    for index, part in enumerate(parts):
        builder.add(workout_step_message(index, part))
    return bytes(builder.build().to_bytes())
