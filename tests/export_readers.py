"""The exports read back by independent readers: Garmin's FIT SDK and the TCX schema.

`read_fit` decodes a FIT file with Garmin's own SDK, failing on a bad checksum or any
decoding error; `TCD` and `AX` are the TCX and activity-extension namespaces;
`TCX_XSD` is Garmin's TCX schema in the shared reference data (a test that needs it
skips when it is absent).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from garmin_fit_sdk import Decoder, Stream

from tests.where import ROOT

TCX_XSD = ROOT.parent / "shared" / "data" / "tcx" / "TrainingCenterDatabasev2.xsd"
TCD = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"
AX = "{http://www.garmin.com/xmlschemas/ActivityExtension/v2}"


def read_fit(path: Path) -> dict[str, list[dict[str, Any]]]:
    assert Decoder(Stream.from_file(str(path))).check_integrity()
    decoder = Decoder(Stream.from_file(str(path)))
    assert decoder.is_fit()
    messages, errors = decoder.read()
    assert errors == []
    return cast(dict[str, list[dict[str, Any]]], messages)
