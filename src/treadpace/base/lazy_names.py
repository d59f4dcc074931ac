"""One way for a package to offer its modules' names without importing them (PEP 562).

`treadpace.engine`, `treadpace.plans` and `treadpace.record` name what their modules
hold, yet importing one of their pure modules must not load the rest: the engine's core
loads no asyncio, reading journals loads no exporter, `treadpace --help` loads no
pydantic. Each package keeps its names under `TYPE_CHECKING` for the type checker and
gives this its table of where each one lives.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(
    package: str, homes: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for `package`, whose name N lives in `package.homes[N]`.

    A name is imported when first asked for and kept in the package from then on.
    """
    namespace = vars(sys.modules[package])

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{home}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *homes})

    return __getattr__, __dir__
