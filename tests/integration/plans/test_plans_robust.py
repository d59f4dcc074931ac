"""The docs' examples work, the package stays light to import, and garbage never crashes."""

from __future__ import annotations

import random
import re
import subprocess
import sys

import pytest

from tests.where import ROOT
from treadpace.base.user_error import UserError
from treadpace.plans import compile_plan, default_profile
from treadpace.plans.loader import plan_from_document, profile_from_document
from treadpace.plans.yaml_document import parse_yaml


def doc_blocks() -> list[str]:
    text = (ROOT / "docs" / "plans.md").read_text()
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def test_docs_examples_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MQTT_USER", "runner")
    monkeypatch.setenv("MQTT_PASSWORD", "pw")
    blocks = doc_blocks()
    plans = [b for b in blocks if "kind:" in b]
    profiles = [b for b in blocks if "kind:" not in b]
    assert len(plans) >= 3 and len(profiles) == 1
    for block in plans:
        compiled = compile_plan(plan_from_document(parse_yaml(block, "doc")), default_profile())
        assert compiled.steps
    profile = profile_from_document(parse_yaml(profiles[0], "doc"))
    assert profile.name == "Runner A" and profile.mqtt.username == "runner"


def test_steps_module_does_not_pull_in_pydantic_or_yaml() -> None:
    code = (
        "import sys, treadpace.plans.steps, treadpace.plans;"
        "print(sorted(m for m in ('pydantic', 'yaml') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert out.stdout.strip() == "[]"


def _mutate(rng: random.Random, text: str) -> str:
    alphabet = ' :-"{}[],\n\t#&*!|>%@`0123456789abcdefkm/$~.'
    chars = list(text)
    for _ in range(rng.randint(1, 5)):
        i = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.4:
            chars[i] = rng.choice(alphabet)
        elif op < 0.7:
            del chars[i]
        else:
            chars.insert(i, rng.choice(alphabet))
    return "".join(chars)


@pytest.mark.parametrize("what", ["plan", "profile"])
def test_mutated_files_only_ever_raise_one_line_user_errors(what: str) -> None:
    rng = random.Random(4)
    folder = ROOT / "configs" / ("plans" if what == "plan" else "profiles")
    bad = ROOT / "tests" / "data" / "plans" / "bad"
    sources = [p.read_text() for p in sorted(folder.glob("*.yaml"))]
    sources += [p.read_text() for p in sorted(bad.glob(f"*.{what}.yaml"))]
    profile = default_profile()
    outcomes = {"ok": 0, "error": 0}
    for _ in range(300):
        text = _mutate(rng, rng.choice(sources))
        try:
            doc = parse_yaml(text, "fuzz.yaml")
            if what == "plan":
                compile_plan(plan_from_document(doc), profile)
            else:
                profile_from_document(doc)
        except UserError as exc:
            message = str(exc)
            assert "\n" not in message and message.startswith("fuzz.yaml"), message
            outcomes["error"] += 1
        else:
            outcomes["ok"] += 1
    assert outcomes["ok"] > 0 and outcomes["error"] > 0
