"""`treadpace ftms decode`: output, exit codes, one-line errors (in-process: `cli_runner`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_runner import Ran, invoke
from treadpace.commands.ftms import parse_hex


def run(*args: str) -> Ran:
    return invoke("ftms", "decode", *args)


@pytest.mark.parametrize(
    "args",
    [
        ("treadmill-data", "00 00 e8 03"),
        ("2acd", "0000e803"),
        ("0x2ACD", "00:00:E8:03"),
        ("treadmill-data", "00", "00", "E8", "03"),
    ],
)
def test_hex_and_characteristic_spellings(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "characteristic": "treadmill-data",
        "more_data": False,
        "instantaneous_speed_kmh": 10.0,
    }
    assert result.stdout.count("\n") == 1
    assert result.stderr == ""


def test_an_all_zero_inclination_range_decodes_with_a_no_incline_note() -> None:
    result = run("inclination-range", "00 00 00 00 00 00")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["min_inclination_percent"] == data["max_inclination_percent"] == 0.0
    assert [n.split(":")[0] for n in data["notes"]] == ["no incline"]
    plain = json.loads(run("inclination-range", "00 00 78 00 0a 00").stdout)
    assert "notes" not in plain


def test_advertised_service_data_decodes_to_machine_types() -> None:
    result = run("service-data", "01 21 00")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "characteristic": "service-data",
        "available": True,
        "machine_types": ["treadmill", "indoor bike"],
    }


def test_control_response_prints_names() -> None:
    result = run("control-response", "80 02 05")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {
        "characteristic": "control-response",
        "op": "set_target_speed",
        "result": "control_not_permitted",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("treadmill-data", "0g"), "error: '0g' is not hex octets like '9c 04 00'"),
        (("treadmill-data", "000"), "error: odd number of hex digits in '000'"),
        (("control-point", "02 E8"), "error: control point: set_target_speed takes 2 parameter"),
        (("speed-range", "D0 07 E8 03 0A 00"), "error: supported speed range: maximum 10.0 km/h"),
        (("bogus", "00"), "error: unknown characteristic 'bogus'"),
        (("feature",), "error: expected CHARACTERISTIC HEX"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_all_decodes_a_pasted_log_and_reports_bad_lines(tmp_path: Path) -> None:
    log = tmp_path / "capture.txt"
    log.write_text(
        "# Matrix treadmill, split record\n"
        "2acd 9F 00 61 00 36 00 00 00 00 FF 7F 00 00 FF FF 05 00 6E 00 02\n"
        "\n"
        "treadmill-data 00 1F 71 00 00 02 CC 00 3C 06 FF 7F 1A 00  # second half\n"
        "2ad9 80 00 01\n"
        "speed-range 64 00\n"
        "just-one-token\n"
        "2ada 04 00 00\n",
        encoding="utf-8",
    )
    result = run("--all", str(log))
    assert result.returncode == 2
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["characteristic"] for line in lines] == [
        "treadmill-data",
        "treadmill-data",
        "control-response",
        "machine-status",
    ]
    assert lines[0]["more_data"] is True
    assert lines[1]["instantaneous_speed_kmh"] == 1.13
    assert lines[2] == {
        "characteristic": "control-response",
        "op": "request_control",
        "result": "success",
    }
    assert lines[3]["op"] == "started_or_resumed_by_user"
    errors = result.stderr.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"error: {log}:6: supported speed range: maximum speed needs 2")
    assert errors[1] == f"error: {log}:7: expected 'CHARACTERISTIC HEX', got 'just-one-token'"


def test_all_with_a_clean_file_exits_0(tmp_path: Path) -> None:
    log = tmp_path / "ok.txt"
    log.write_text("heart-rate 10 75 72 03 27 02\nfeature 1D 16 00 00 03 00 00 00\n")
    result = run("--all", str(log))
    assert result.returncode == 0, result.stderr
    assert [json.loads(x)["characteristic"] for x in result.stdout.splitlines()] == [
        "heart-rate",
        "feature",
    ]


def test_all_with_a_missing_file_is_a_user_error(tmp_path: Path) -> None:
    result = run("--all", str(tmp_path / "nope.txt"))
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {tmp_path / 'nope.txt'}: cannot read")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "text",
    ["9c 04 00", "9c0400", "9C:04:00", "9c-04-00", "0x9c, 0x04, 0x00", "0x9c0400", " 9c\t04 00 "],
)
def test_parse_hex_spellings(text: str) -> None:
    assert parse_hex(text) == b"\x9c\x04\x00"


@pytest.mark.parametrize(
    ("text", "problem"),
    [("", "no hex octets"), (" : ", "no hex octets"), ("9c0", "odd number"), ("xx", "not hex")],
)
def test_parse_hex_rejects(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_hex(text)
