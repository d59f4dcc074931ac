"""`lazy_names`: a package's names are imported when first asked for, and only then."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`lazypkg`, naming `Thing` from its module `heavy`, which records that it was loaded."""
    root = tmp_path / "lazypkg"
    root.mkdir()
    (root / "__init__.py").write_text(
        "from treadpace.base.lazy_names import lazy_names\n"
        "__getattr__, __dir__ = lazy_names(__name__, {'Thing': 'heavy'})\n"
    )
    (root / "heavy.py").write_text("class Thing:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "lazypkg"
    for name in [n for n in sys.modules if n == "lazypkg" or n.startswith("lazypkg.")]:
        del sys.modules[name]


def test_a_name_is_imported_on_first_use_and_kept(package: str) -> None:
    pkg = importlib.import_module(package)
    assert f"{package}.heavy" not in sys.modules
    assert "Thing" in dir(pkg)
    assert f"{package}.heavy" not in sys.modules  # listing loads nothing
    thing = pkg.Thing
    assert thing is sys.modules[f"{package}.heavy"].Thing
    assert vars(pkg)["Thing"] is thing  # kept: the next use does not ask again


def test_an_unknown_name_is_an_attribute_error_naming_the_package(package: str) -> None:
    pkg = importlib.import_module(package)
    with pytest.raises(AttributeError, match="module 'lazypkg' has no attribute 'Other'"):
        _ = pkg.Other
    assert not hasattr(pkg, "heavy_thing")
