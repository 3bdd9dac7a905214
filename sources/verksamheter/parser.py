"""Parse a board's list of activities."""

from __future__ import annotations

from collections.abc import Mapping

from sources._common.batch import ParsedBatch, parse_csv
from sources.verksamheter.contract import CONTRACT


def parse(data: bytes, file_name: str, companions: Mapping[str, bytes]) -> ParsedBatch:
    """The activities, typed."""
    return parse_csv(data, CONTRACT, file_name)
