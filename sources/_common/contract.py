"""The contract of a source: which columns a file has and how they are typed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["text", "code", "money", "date", "period", "year", "integer", "decimal", "codes"]


@dataclass(frozen=True)
class Column:
    """One column of an export: its header as delivered and its name in the event log."""

    header: str  # as in source-formats.md, e.g. "Nämnd"
    name: str  # column in events.<source>, e.g. "namnd"
    kind: Kind
    required: bool = True  # the header must be present
    nullable: bool = False  # an empty cell is allowed
    # Added to a source whose event table already existed: the column then sits after
    # `extra` in events.<source>, in new and old databases alike, and an old database
    # gets it by `alter table ... add column` (warehouse/schema.py). Only an optional,
    # nullable column can be added so: the rows before it have no value for it.
    added_later: bool = False


@dataclass(frozen=True)
class Contract:
    """Everything the warehouse promises about one source's files."""

    source: str  # also the table name in schema `events`
    file_pattern: re.Pattern[str]  # matched against the lower-cased file name
    columns: tuple[Column, ...]
    supersession_key: tuple[str, ...]  # event-log column names; () = the whole register
    # Columns the parser adds after the delivered ones (not in the file, so no header
    # rule and no cell rule): stored in the event table too (indikatorer's parsed values).
    derived: tuple[Column, ...] = ()
    load_tier: int = 2  # registers (tier 0, 1) load before the files they resolve
    description: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def required_headers(self) -> list[str]:
        return [c.header for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def matches(self, file_name: str) -> bool:
        return bool(self.file_pattern.fullmatch(file_name.lower()))
