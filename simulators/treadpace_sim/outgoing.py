"""What the software treadmill's server hands its front end to deliver.

Its own module so the server and the Control Point handlers share these types
without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

NOTIFY: Final = 1
INDICATE: Final = 2


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One notification or indication for the front end to deliver.

    `client` set: only that client (responses, Control Permission Lost).
    `exclude` set: every connected client except that one (status echo rule).
    Neither: every connected client that enabled the characteristic.
    """

    uuid: str
    data: bytes
    indicate: bool = False
    client: int | None = None
    exclude: int | None = None
