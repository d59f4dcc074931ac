"""`--web [HOST:PORT]` as the issue and the docs write it, on a command line library without
options whose value is optional."""

from __future__ import annotations

import pytest

from treadpace.cli import web_address_sugar


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "thirds", "--web"], ["run", "thirds", "--web"]),
        (["run", "--web", "thirds"], ["run", "--web", "thirds"]),  # a plan, not an address
        (["run", "thirds", "--web", "--yes"], ["run", "thirds", "--web", "--yes"]),
        (
            ["run", "thirds", "--web", "0.0.0.0:8080", "--yes"],
            ["run", "thirds", "--web", "--web-listen", "0.0.0.0:8080", "--yes"],
        ),
        (["run", "t", "--web=:9000"], ["run", "t", "--web", "--web-listen", ":9000"]),
        (["run", "t", "--web", "[::1]:8080"], ["run", "t", "--web", "--web-listen", "[::1]:8080"]),
        (["run", "t", "--web", "pi.lan:80"], ["run", "t", "--web", "--web-listen", "pi.lan:80"]),
        (["run", "t", "--web", "9000"], ["run", "t", "--web", "--web-listen", "9000"]),
        (["run", "--", "--web", "x:1"], ["run", "--", "--web", "x:1"]),
    ],
)
def test_web_takes_an_optional_address(argv: list[str], expected: list[str]) -> None:
    assert web_address_sugar(argv) == expected
