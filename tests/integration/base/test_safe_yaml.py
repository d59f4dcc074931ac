"""Hostile files are refused with one line before they cost memory, time or a traceback.

Each case runs through every loader that reads hand-written YAML: plans,
profiles, simulator treadmill models and simulator fault files.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from treadpace.base.safe_yaml import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES
from treadpace.base.user_error import UserError
from treadpace.plans import load_plan, load_profile
from treadpace_sim.faults import load_faults
from treadpace_sim.model import load_model

Loader = Callable[[Path], object]
LOADERS: dict[str, Loader] = {
    "plan": load_plan,
    "profile": load_profile,
    "model": load_model,
    "faults": load_faults,
}


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 "lol"']
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def one_line_error(load: Loader, path: Path) -> str:
    with pytest.raises(UserError) as err:
        load(path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(str(path)), message
    return message


@pytest.mark.parametrize("what", LOADERS)
def test_billion_laughs_is_refused_without_expanding_it(what: str, tmp_path: Path) -> None:
    path = tmp_path / f"bomb.{what}.yaml"
    path.write_text(billion_laughs())
    message = one_line_error(LOADERS[what], path)
    assert f"more than {MAX_NODES} values once aliases are expanded" in message
    # The line of the anchor that went over: a5 is the first above 100,000 values.
    assert message.startswith(f"{path}:6:"), message


def test_a_few_aliases_are_still_fine(tmp_path: Path) -> None:
    # Small anchors and aliases are legitimate YAML and stay allowed.
    plan = tmp_path / "ok.plan.yaml"
    plan.write_text(
        "kind: custom\nsegments:\n  - &warm {duration: '5:00', pace: easy}\n"
        "  - {duration: '5:00', pace: steady}\n  - *warm\n"
    )
    assert len(load_plan(plan).segments) == 3  # type: ignore[union-attr]
    model = tmp_path / "ok.model.yaml"
    model.write_text("name: &n mine\ndescription: *n\n")
    assert load_model(model).description == "mine"


@pytest.mark.parametrize("what", LOADERS)
@pytest.mark.parametrize("shape", ["flow", "block"])
def test_deep_nesting_is_one_line(what: str, shape: str, tmp_path: Path) -> None:
    depth = 5000
    path = tmp_path / "deep.yaml"
    if shape == "flow":
        path.write_text("name: " + "[" * depth + "]" * depth + "\n")
    else:
        path.write_text("".join(" " * i + f"k{i}:\n" for i in range(depth // 10)))
    message = one_line_error(LOADERS[what], path)
    assert f"more than {MAX_DEPTH} levels of nesting" in message


@pytest.mark.parametrize("what", LOADERS)
@pytest.mark.parametrize("text", ["a: &x [1, *x]\n", "a: &x {b: *x}\n", "&x [*x]\n"])
def test_self_reference_is_one_line(what: str, text: str, tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(text)
    message = one_line_error(LOADERS[what], path)
    assert "(*x refers to itself)" in message


@pytest.mark.parametrize("what", LOADERS)
def test_a_fifo_is_refused_without_blocking(what: str, tmp_path: Path) -> None:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    # No writer ever opens the pipe: an open or read that waits for one never returns.
    message = one_line_error(LOADERS[what], path)
    assert "got a named pipe (FIFO)" in message


@pytest.mark.parametrize("what", LOADERS)
def test_dev_zero_is_refused_without_reading_it(what: str) -> None:
    message = one_line_error(LOADERS[what], Path("/dev/zero"))
    assert "got a character device" in message


@pytest.mark.parametrize("what", LOADERS)
def test_a_file_over_the_cap_is_refused(what: str, tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * MAX_FILE_BYTES + "\nkind: thirds\n")
    message = one_line_error(LOADERS[what], path)
    assert "at most 1 MB" in message


def test_a_file_at_the_cap_is_read(tmp_path: Path) -> None:
    body = "kind: thirds\n"
    path = tmp_path / "padded.yaml"
    path.write_text(body + "#" * (MAX_FILE_BYTES - len(body) - 1) + "\n")
    assert path.stat().st_size == MAX_FILE_BYTES
    assert load_plan(path).kind == "thirds"


@pytest.mark.parametrize("what", ["plan", "profile", "model"])
def test_a_directory_is_refused(what: str, tmp_path: Path) -> None:
    directory = tmp_path / "dir.yaml"
    directory.mkdir()
    assert "got a directory" in one_line_error(LOADERS[what], directory)


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"kind: thirds\nname: caf\xe9\n")
    assert one_line_error(load_plan, path) == f"{path}:2: (file): expected UTF-8 text"


def test_plan_validate_refuses_a_fifo_and_dev_zero_from_the_command_line(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.plan.yaml"
    os.mkfifo(pipe)
    for path in (pipe, Path("/dev/zero")):
        # The timeout only turns a regression (a read that blocks) into a failure.
        result = subprocess.run(
            [sys.executable, "-m", "treadpace", "plan", "validate", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {path}: expected a regular plan")


@pytest.mark.parametrize("what", LOADERS)
def test_a_character_yaml_forbids_is_one_line_with_its_line(what: str, tmp_path: Path) -> None:
    path = tmp_path / "nul.yaml"
    path.write_text("name: ok\ndescription: tread\x00pace\n")
    message = one_line_error(LOADERS[what], path)
    assert message.startswith(f"{path}:2:"), message
    assert "found character #x0000, which YAML does not allow" in message


@pytest.mark.parametrize("what", LOADERS)
@pytest.mark.parametrize("text", ['name: "\\ud800 x"\n', 'name: x\n"\\udfff": 1\n'])
def test_a_lone_surrogate_escape_is_one_line(what: str, text: str, tmp_path: Path) -> None:
    path = tmp_path / "surrogate.yaml"
    path.write_text(text)
    message = one_line_error(LOADERS[what], path)
    assert "found a lone surrogate escape" in message
    assert message.startswith(f"{path}:{text.count(chr(10))}:"), message


def test_a_json_style_surrogate_pair_is_the_character_it_spells(tmp_path: Path) -> None:
    plan = tmp_path / "emoji.plan.yaml"
    plan.write_text('kind: thirds\nname: "run \\ud83c\\udfc3"\n')
    assert load_plan(plan).name == "run \U0001f3c3"
    model = tmp_path / "emoji.model.yaml"
    model.write_text('name: "belt \\ud83c\\udfc3"\n')
    assert load_model(model).name == "belt \U0001f3c3"
