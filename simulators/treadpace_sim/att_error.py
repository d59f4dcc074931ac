"""Errors a GATT client of the simulator can see, mirroring what a real link reports."""

from __future__ import annotations

from typing import Final

ATT_WRITE_NOT_PERMITTED: Final = 0x03
ATT_READ_NOT_PERMITTED: Final = 0x02
ATT_ATTRIBUTE_NOT_FOUND: Final = 0x0A
ATT_INVALID_LENGTH: Final = 0x0D
ATT_CCCD_IMPROPERLY_CONFIGURED: Final = 0xFD
ATT_PROCEDURE_IN_PROGRESS: Final = 0xFE

_NAMES: Final = {
    ATT_READ_NOT_PERMITTED: "read not permitted",
    ATT_WRITE_NOT_PERMITTED: "write not permitted",
    ATT_ATTRIBUTE_NOT_FOUND: "attribute not found",
    ATT_INVALID_LENGTH: "invalid attribute value length",
    ATT_CCCD_IMPROPERLY_CONFIGURED: "client characteristic configuration descriptor "
    "improperly configured",
    ATT_PROCEDURE_IN_PROGRESS: "procedure already in progress",
}


class AttError(Exception):
    """An ATT Error Response instead of a Write/Read Response (e.g. 0xFD, 0xFE)."""

    def __init__(self, code: int, detail: str = "") -> None:
        name = _NAMES.get(code, "error")
        super().__init__(f"ATT error 0x{code:02X} ({name}){': ' + detail if detail else ''}")
        self.code = code


class LinkDown(Exception):
    """The simulated link is not up (dropped, rebooting, or never connected)."""


class FrontEndError(RuntimeError):
    """A front end (the BlueZ app) cannot serve the simulator; the text is one line for the user.

    `treadpace simulate` ends on it with exit 2 instead of carrying on headless,
    since a simulator nobody can reach is not what was asked for.
    """
