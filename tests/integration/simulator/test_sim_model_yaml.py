"""Model files: a user adds a machine by writing YAML; mistakes are one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.where import ROOT
from treadpace.base.user_error import UserError
from treadpace_sim.model import list_models, load_model


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "model.yaml"
    path.write_text(text)
    return path


def test_minimal_user_model_inherits_the_strict_defaults(tmp_path: Path) -> None:
    model = load_model(_write(tmp_path, "name: mine\n"))
    generic = load_model("generic")
    assert model.belt == generic.belt
    assert model.feature_bits() == generic.feature_bits()
    assert model.control_point == "indicate" and model.off_increment == "reject"


def test_user_model_with_everything(tmp_path: Path) -> None:
    text = (ROOT / "configs/treadmills/generic.yaml").read_text()
    path = _write(tmp_path, text.replace("name: generic", "name: copy"))
    assert load_model(path).name == "copy"
    assert load_model(str(path)).source == str(path)


def test_unknown_name_lists_the_models() -> None:
    with pytest.raises(UserError) as err:
        load_model("no-such-machine")
    assert "expected one of" in str(err.value) and "generic" in str(err.value)


def test_missing_file() -> None:
    with pytest.raises(UserError, match="no such model file"):
        load_model("/nonexistent/x.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("description: x\n", ":1: name: expected a text value (field is missing)"),
        ("name: a\nspeed:\n  min: fast\n", ":3: speed.min: expected a number >= 0"),
        ("name: a\nspeed: {min: 5, max: 3}\n", ":2: speed.max: expected a number above min (5)"),
        ("name: a\nspeed: {min: 0}\n", ":2: speed.min: expected a number > 0"),
        ("name: a\nspeed: {start: 30}\n", ":2: speed.start: expected a number from 0.8 to 20"),
        ("name: a\nspeed: {unit: knots}\n", ":2: speed.unit: expected one of kmh, mph"),
        ("name: a\nincline: {increment: 0}\n", ":2: incline.increment: expected a number > 0"),
        ("name: a\nbelt: {acceleration: -1}\n", ":2: belt.acceleration: expected a number > 0"),
        ("name: a\nbelt: {accel: 1}\n", ":2: belt.accel: expected a known field (unknown field)"),
        ("name: a\ncolour: red\n", ":2: colour: expected a known field"),
        ("name: a\ntelemetry:\n  fields: [speed]\n", ":3: telemetry.fields[0]: expected one of"),
        ("name: a\ntelemetry: {max_payload: 3}\n", ":2: telemetry.max_payload: expected an int"),
        ("name: a\ncontrol: {point: maybe}\n", ":2: control.point: expected one of"),
        ("name: a\nquirks: {training_status: 2}\n", ":2: quirks.training_status: expected true"),
        ("name: a\nrunner: {hr_max: 50}\n", ":2: runner.hr_max: expected a number from 61"),
        ("name: a\nspeed: 12\n", ":2: speed: expected a mapping of fields"),
        ("- name: a\n", ":1: (top level): expected a mapping of fields"),
        ("name: a\nname: b\n", ":2: name: expected each key once"),  # as in a plan
        ("name: [a\n", "expected valid YAML"),
        ("name: a\nfaults:\n  - {at: 1}\n", ":3: faults[0].action: expected one of"),
        ("name: a\nspeed: {max: 700}\n", "speed.max: expected a speed below 655.35"),
        ("name: a\n3: x\n", ":2: 3: expected a known field (unknown field)"),
        ("name: a\nincline: {present: false, max: 3}\n", ":2: incline.max: expected a known"),
    ],
)
def test_bad_model_files_give_one_line_errors(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(UserError) as err:
        load_model(path)
    message = str(err.value)
    assert message.startswith(str(path))
    assert expected in message
    assert "\n" not in message


def test_user_models_are_found_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREADPACE_CONFIG_HOME", str(tmp_path))
    (tmp_path / "treadmills").mkdir()
    (tmp_path / "treadmills" / "garage.yaml").write_text("name: garage\nspeed: {max: 16}\n")
    (tmp_path / "treadmills" / "generic.yaml").write_text("name: impostor\n")
    assert "garage" in list_models()
    assert load_model("garage").belt.speed_max_kmh == 16
    assert load_model("generic").name == "generic"  # shipped names cannot be shadowed


def test_clock_text_means_what_it_means_in_a_plan(tmp_path: Path) -> None:
    # YAML 1.1 would read 1:00 as the number 60 and 2:30 as 150: a plan keeps the text
    path = _write(
        tmp_path,
        "name: 1:00\ndescription: 2:30\nbelt: {start_delay: 0:03}\n"
        "runner: {hr_rise_tau: 1:30, hr_fall_tau: 2 min}\nquirks: {training_status: yes}\n",
    )
    model = load_model(path)
    assert (model.name, model.description) == ("1:00", "2:30")
    assert model.belt.start_delay_s == 3.0
    assert (model.belt.hr_rise_tau_s, model.belt.hr_fall_tau_s) == (90.0, 120.0)
    assert model.training_status is True


def test_clock_text_is_not_a_number_where_a_number_is_expected(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r":2: incline.max: expected a number$"):
        load_model(_write(tmp_path, "name: a\nincline: {max: 1:00}\n"))
    with pytest.raises(UserError, match=r':2: belt.start_delay: expected .*"30:00"'):
        load_model(_write(tmp_path, "name: a\nbelt: {start_delay: soon}\n"))


def test_every_shipped_model_loads_through_the_file_schema() -> None:
    for name in list_models():
        assert load_model(name).name == name


def test_importing_the_simulator_does_not_import_pydantic() -> None:
    code = "import sys, treadpace_sim, treadpace_sim.treadmill; print('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
