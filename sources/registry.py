"""Which source a delivered file belongs to, and in which order files load."""

from __future__ import annotations

import re
from pathlib import Path

from sources._common.source import Source
from sources.budget import SOURCE as BUDGET
from sources.huvudbok import SOURCE as HUVUDBOK
from sources.indikatorer import SOURCE as INDIKATORER
from sources.lon import SOURCE as LON
from sources.medarbetarenkat import SOURCE as MEDARBETARENKAT
from sources.organisation import SOURCE as ORGANISATION
from sources.prognos import SOURCE as PROGNOS
from sources.sie import SOURCE as SIE
from sources.sjukfranvaro import SOURCE as SJUKFRANVARO
from sources.verksamheter import SOURCE as VERKSAMHETER

SOURCES: tuple[Source, ...] = (
    ORGANISATION,
    VERKSAMHETER,
    HUVUDBOK,
    SIE,
    BUDGET,
    PROGNOS,
    LON,
    SJUKFRANVARO,
    MEDARBETARENKAT,
    INDIKATORER,
)
BY_NAME = {s.name: s for s in SOURCES}
COMPANION_SUFFIXES = frozenset(s for src in SOURCES for s in src.companion_suffixes)


def source_for(file_name: str) -> Source | None:
    """The source a file belongs to by its name (source-formats.md), or None."""
    return next((s for s in SOURCES if s.contract.matches(file_name)), None)


# Exports of the city this version does not load yet (none today; kept so that a
# recognised export is told apart from a stray file when one is added to the formats).
NOT_YET_SUPPORTED: dict[str, re.Pattern[str]] = {}


def unknown_source_reason(file_name: str) -> str:
    """Why a file has no source: a known export not loaded yet, or no export at all."""
    lowered = file_name.lower()
    for name, pattern in NOT_YET_SUPPORTED.items():
        if pattern.fullmatch(lowered):
            return f"'{name}' exports are recognised but not loaded by this version yet"
    patterns = ", ".join(s.contract.file_pattern.pattern for s in SOURCES)
    return f"file name matches no source (expected one of: {patterns})"


def is_companion(path: Path) -> bool:
    """A `.ctl` control file is read with its data file; it is not a batch of its own."""
    return path.suffix.lower() in COMPANION_SUFFIXES


def load_order(path: Path) -> tuple[int, str, str]:
    """Registers first (their codes resolve the rest), then every file in name order."""
    source = source_for(path.name)
    tier = source.contract.load_tier if source else 9
    return (tier, path.name.lower(), str(path))
