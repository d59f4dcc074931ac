"""Workout files made for tests, and the runner they are compiled for.

`RUNNER` is a 5k-in-25:00 runner (the reference paces a workout names come from);
`compiled_from` imports workout bytes as a file of the given name and compiles them
for `RUNNER`; `fit_workout(steps)` builds a FIT workout file from step fields, and
`fit_steps()` is one such workout: a warm-up, 5 x (400 m, 90 s jog) at speed targets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from treadpace.library import import_workout
from treadpace.plans import Profile, compile_plan
from treadpace.plans.steps import CompiledPlan

RUNNER = Profile.model_validate({"name": "r", "race": {"distance": "5k", "time": "25:00"}})


def compiled_from(data: bytes, name: str, fmt: str, tmp_path: Path) -> CompiledPlan:
    path = tmp_path / name
    path.write_bytes(data)
    plan, source, _ = import_workout(path)
    return compile_plan(plan, RUNNER, source)


def fit_workout(steps: list[dict[str, Any]]) -> bytes:
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.workout_message import WorkoutMessage
    from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
    from fit_tool.profile.profile_type import FileType, Sport

    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = 1
    file_id.time_created = 1_700_000_000_000
    builder.add(file_id)
    workout = WorkoutMessage()
    workout.workout_name = "Watch run"
    workout.sport = Sport.RUNNING
    workout.num_valid_steps = len(steps)
    builder.add(workout)
    for i, fields in enumerate(steps):
        message = WorkoutStepMessage()
        message.message_index = i
        for key, value in fields.items():
            setattr(message, key, value)
        builder.add(message)
    return bytes(builder.build().to_bytes())


def fit_steps() -> list[dict[str, Any]]:
    from fit_tool.profile.profile_type import WorkoutStepDuration as D
    from fit_tool.profile.profile_type import WorkoutStepTarget as T

    return [
        {"workout_step_name": "warm", "duration_type": D.TIME, "duration_time": 600.0,
         "target_type": T.OPEN},
        {"workout_step_name": "rep", "duration_type": D.DISTANCE, "duration_distance": 400.0,
         "target_type": T.SPEED, "target_value": 0, "custom_target_speed_low": 3.8,
         "custom_target_speed_high": 4.0},
        {"workout_step_name": "jog", "duration_type": D.TIME, "duration_time": 90.0,
         "target_type": T.SPEED, "target_value": 0, "custom_target_speed_low": 2.6,
         "custom_target_speed_high": 2.6},
        {"duration_type": D.REPEAT_UNTIL_STEPS_CMPLT, "duration_step": 1, "target_repeat_steps": 5},
    ]  # fmt: skip
