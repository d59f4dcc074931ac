"""Every malformed plan or profile gives one line: `file:line: field: expected ...`.

Each file in tests/data/plans/bad/ starts with `# expect: LINE FIELD | WORDS`:
the line and field path the message must name and words it must contain.
Plans are checked against the metric example runner (so compile-time rules
apply too); profiles are loaded on their own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.where import DATA, ROOT
from treadpace.base.user_error import UserError
from treadpace.plans import compile_plan, load_plan, load_profile

BAD = DATA / "plans" / "bad"
FILES = sorted(BAD.glob("*.yaml"))
RUNNER_A = ROOT / "configs" / "profiles" / "metric.yaml"


def expectation(path: Path) -> tuple[int, str, str]:
    header = path.read_text().splitlines()[0]
    assert header.startswith("# expect: "), path
    where, words = header.removeprefix("# expect: ").split(" | ", 1)
    line, field = where.split(" ", 1)
    return int(line), field, words


def error_of(path: Path) -> str:
    with pytest.raises(UserError) as err:
        if path.name.endswith(".profile.yaml"):
            load_profile(path)
        else:
            compile_plan(load_plan(path), load_profile(RUNNER_A), str(path))
    return str(err.value)


def test_corpus_is_large_enough() -> None:
    assert len(FILES) >= 25
    assert sum(p.name.endswith(".profile.yaml") for p in FILES) >= 10


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TREADPACE_TEST_UNSET_VAR", raising=False)
    monkeypatch.delenv("TREADPACE_PROFILE", raising=False)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_one_line_with_file_line_field_and_expectation(path: Path) -> None:
    line, field, words = expectation(path)
    message = error_of(path)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}: {field}: "), message
    rest = message.removeprefix(f"{path}:{line}: {field}: ")
    assert rest.startswith(("expected", "unknown key")), message
    assert words in rest, message


SUBPROCESS_CASES = [
    "yaml-syntax.plan.yaml",
    "unknown-key.plan.yaml",
    "past-interval.plan.yaml",
    "repeat-unknown-key.plan.yaml",
]


def test_through_the_command_line(tmp_path: Path) -> None:
    paths = [BAD / name for name in SUBPROCESS_CASES]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "treadpace",
            "plan",
            "validate",
            "--profile",
            str(RUNNER_A),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == len(paths)
    for path, line in zip(paths, lines, strict=True):
        number, field, _ = expectation(path)
        assert line.startswith(f"error: {path}:{number}: {field}: ")


def test_bad_profile_through_run_is_one_line(tmp_path: Path) -> None:
    profile = BAD / "mqtt-port-text.profile.yaml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "treadpace",
            "plan",
            "show",
            str(ROOT / "configs/plans/thirds.yaml"),
            "--profile",
            str(profile),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == f"error: {profile}:5: mqtt.port: expected a whole number, got 'mqtt'\n"
