"""Parse the organisation register."""

from __future__ import annotations

from collections.abc import Mapping

from sources._common.batch import ParsedBatch, parse_csv
from sources.organisation.contract import CONTRACT


def parse(data: bytes, file_name: str, companions: Mapping[str, bytes]) -> ParsedBatch:
    """The register's events, typed; Efterträdare split into a list of codes."""
    return parse_csv(data, CONTRACT, file_name)
