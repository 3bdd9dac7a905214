"""Parse a `lon` export."""

from __future__ import annotations

from collections.abc import Mapping

from sources._common.batch import ParsedBatch, parse_csv
from sources.lon.contract import CONTRACT


def parse(data: bytes, file_name: str, companions: Mapping[str, bytes]) -> ParsedBatch:
    """The rows, typed as the contract says."""
    return parse_csv(data, CONTRACT, file_name)
