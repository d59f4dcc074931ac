"""Every ```yaml block in the README and docs/ loads through the project's own loaders.

The profile example in docs/plans.md once did not load (`mqtt.username` asked for
`MQTT_USER` although `mqtt.enabled: false`). Each block is taken for what it is
(a plan, a profile or part of one, a simulator model, a faults list) and checked
by the loader a runner's file goes through; a plan is compiled for the default
runner as well.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.where import ROOT
from treadpace.base.user_error import UserError
from treadpace.plans import compile_plan, load_plan, load_profile
from treadpace.plans.profile import default_profile
from treadpace_sim.fault_file import load_faults
from treadpace_sim.model_file import load_model_file

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```ya?ml[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")
SET_BY_THE_RUNNER = {"TREADPACE_MQTT_PASSWORD": "secret"}
"""Variables the docs tell the runner to set for an enabled section; any other is unset."""

A_RUNNER = 'race: {distance: 5k, time: "25:00"}'
MODEL_KEYS = {"speed", "incline", "device", "belt", "quirks", "runner"}


def blocks() -> list[tuple[str, str]]:
    out = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for m in BLOCK.finditer(text):
            line = text[: m.start()].count("\n") + 1
            out.append((f"{doc.relative_to(ROOT)}:{line}", m.group(1)))
    return out


BLOCKS = blocks()


def test_the_docs_have_yaml_blocks_of_every_kind() -> None:
    assert len(BLOCKS) >= 15
    assert any(text.startswith("faults:") for _, text in BLOCKS)


def kind_of(text: str) -> str:
    keys = {line.split(":", 1)[0] for line in text.splitlines() if re.match(r"^\w+:", line)}
    if "kind" in keys:
        return "plan"
    if keys == {"faults"}:
        return "faults"
    if keys & MODEL_KEYS:
        return "model"
    return "profile"


@pytest.mark.parametrize(("where", "text"), BLOCKS, ids=[w for w, _ in BLOCKS])
def test_every_yaml_block_in_the_docs_loads(
    where: str, text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ENV.findall(text):
        if name in SET_BY_THE_RUNNER:
            monkeypatch.setenv(name, SET_BY_THE_RUNNER[name])
        else:
            monkeypatch.delenv(name, raising=False)
    kind = kind_of(text)
    if kind == "profile" and not re.search(r"^(race|paces):", text, re.MULTILINE):
        text = f"{A_RUNNER}\n{text}"  # a section of a profile: in a runner's whole profile
    path = tmp_path / "block.yaml"
    path.write_text(text, encoding="utf-8")
    if kind == "plan":
        compiled = compile_plan(load_plan(path), default_profile(), where)
        assert compiled.steps
    elif kind == "faults":
        assert load_faults(path)
    elif kind == "model":
        assert load_model_file(path).name
    else:
        assert not load_profile(path).is_default


def test_an_env_reference_in_a_disabled_section_is_not_required(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TREADPACE_TEST_UNSET_USER", raising=False)
    path = tmp_path / "profile.yaml"
    mqtt = "mqtt:\n  enabled: {}\n  username: ${{TREADPACE_TEST_UNSET_USER}}\n"
    path.write_text(f"{A_RUNNER}\n{mqtt.format('false')}")
    assert load_profile(path).mqtt.enabled is False
    path.write_text(f"{A_RUNNER}\n{mqtt.format('true')}")
    with pytest.raises(UserError, match=r"mqtt\.username: expected environment variable"):
        load_profile(path)
