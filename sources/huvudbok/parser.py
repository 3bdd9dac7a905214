"""Parse a ledger export and its optional control file."""

from __future__ import annotations

from collections.abc import Mapping

from sources._common.batch import ParsedBatch, parse_csv
from sources._common.csvfile import ParseError
from sources.huvudbok.contract import CONTRACT, CONTROL


def parse(data: bytes, file_name: str, companions: Mapping[str, bytes]) -> ParsedBatch:
    """The typed ledger lines, with the `.ctl` control totals when one was delivered."""
    parsed = parse_csv(data, CONTRACT, file_name)
    control_bytes = companions.get(".ctl")
    if control_bytes is not None:
        control = parse_csv(control_bytes, CONTROL, file_name.rsplit(".", 1)[0] + ".ctl")
        if control.missing_headers:
            raise ParseError(f"control file lacks column(s) {', '.join(control.missing_headers)}")
        parsed.companions["control"] = control.rows
        parsed.companions["control_raw"] = control.raw
    return parsed
