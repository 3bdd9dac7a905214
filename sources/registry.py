"""Which source a delivered file belongs to, and in which order files load."""

from __future__ import annotations

import os
import re
from pathlib import Path

from sources._common.csvfile import normalise_header
from sources._common.source import Source
from sources.ansvar import SOURCE as ANSVAR
from sources.balans import SOURCE as BALANS
from sources.budget import SOURCE as BUDGET
from sources.huvudbok import SOURCE as HUVUDBOK
from sources.indikatorer import SOURCE as INDIKATORER
from sources.kommentarer import SOURCE as KOMMENTARER
from sources.lon import SOURCE as LON
from sources.medarbetarenkat import SOURCE as MEDARBETARENKAT
from sources.organisation import SOURCE as ORGANISATION
from sources.organisationsmappning import SOURCE as ORGANISATIONSMAPPNING
from sources.prognos import SOURCE as PROGNOS
from sources.resultatfond import SOURCE as RESULTATFOND
from sources.sie import SOURCE as SIE
from sources.sjukfranvaro import SOURCE as SJUKFRANVARO
from sources.verksamheter import SOURCE as VERKSAMHETER

# The one list of sources: a source is its folder `sources/<name>/` and its line here.
# Everything else is derived from it: which source a file is (`source_for`), the event
# tables and their columns (`event_tables`, warehouse/schema.py), the Dagster assets.
# A list, changed in place only by `register`/`unregister`, so every importer sees it.
SOURCES: list[Source] = [
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
    KOMMENTARER,
    RESULTATFOND,
    BALANS,
    ORGANISATIONSMAPPNING,
    ANSVAR,
]
BY_NAME: dict[str, Source] = {s.name: s for s in SOURCES}
COMPANION_SUFFIXES: set[str] = {s for src in SOURCES for s in src.companion_suffixes}

# A source's name is an identifier in SQL (`events.<name>`) and in dbt: lower case only.
NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


def event_tables() -> tuple[str, ...]:
    """The tables of schema `events` that hold rows, one per source that owns one.

    A source owns `events.<name>` unless it writes other sources' tables only (SIE:
    `huvudbok`, `budget` and `balans`). Registry order. Identifiers in SQL only ever come from here.
    """
    return tuple(s.name for s in SOURCES if s.owns_table)


def table_owner(table: str) -> Source:
    """The source whose contract defines the columns of `events.<table>`."""
    return next(s for s in SOURCES if s.owns_table and s.name == table)


def supersession_keys() -> dict[str, tuple[str, ...]]:
    """Per event table, the columns its supersession key joins with '|' (in order).

    What `events.supersession_keys.key` holds per `source`: the owner's contract key (a
    SIE file's keys are recorded under `huvudbok` and `budget`, with their keys).
    """
    return {t: table_owner(t).contract.supersession_key for t in event_tables()}


def key_columns_csv() -> str:
    """The dbt seed `dbt_project/seeds/source_key_columns.csv`, generated from the registry.

    One line per event table and supersession-key column: the column's 1-based place in
    the key text (`events.supersession_keys.key`, the columns joined by '|'). dbt reads
    the board, period, year and report parts of a key from it instead of lists of
    source names. A table whose key is the whole register (organisation) has no line.

    >>> print(key_columns_csv().splitlines()[0])
    source_name,key_position,key_column
    >>> [line for line in key_columns_csv().splitlines() if line.startswith("huvudbok,")]
    ['huvudbok,1,namnd', 'huvudbok,2,period']
    """
    lines = ["source_name,key_position,key_column"]
    for table, columns in supersession_keys().items():
        lines += [f"{table},{place},{column}" for place, column in enumerate(columns, 1)]
    return "\n".join(lines) + "\n"


def register(source: Source) -> None:
    """Add a source at run time (tests build a throwaway one from a temporary folder).

    The built-in sources are the list above; nothing in the product calls this.
    """
    if not NAME.fullmatch(source.name):
        raise ValueError(f"source name {source.name!r} is not a lower-case SQL identifier")
    if source.name in BY_NAME:
        raise ValueError(f"a source {source.name!r} is already registered")
    owned = {*event_tables(), *([source.name] if source.owns_table else [])}
    orphans = [t for t in source.tables if t not in owned]
    if orphans:
        raise ValueError(f"{source.name} writes tables no source owns: {', '.join(orphans)}")
    SOURCES.append(source)
    BY_NAME[source.name] = source
    COMPANION_SUFFIXES.update(source.companion_suffixes)


def unregister(name: str) -> None:
    """Take a source added by `register` out again (its rows stay in any database)."""
    source = BY_NAME.pop(name)
    SOURCES.remove(source)
    COMPANION_SUFFIXES.clear()
    COMPANION_SUFFIXES.update(s for src in SOURCES for s in src.companion_suffixes)


def source_for(file_name: str) -> Source | None:
    """The source a file belongs to by its name (source-formats.md), or None."""
    return next((s for s in SOURCES if s.contract.matches(file_name)), None)


# Exports of the city this version does not load yet (none today; kept so that a
# recognised export is told apart from a stray file when one is added to the formats).
NOT_YET_SUPPORTED: dict[str, re.Pattern[str]] = {}


def unknown_source_reason(file_name: str) -> str:
    """Why a file has no source: a known export not loaded yet, or no export at all, and
    the name it may have meant.

    >>> print(unknown_source_reason("lön_201108.csv"))  # doctest: +ELLIPSIS
    file name matches no source: did you mean lon_201108.csv? (expected names: ...
    """
    lowered = file_name.lower()
    for name, pattern in NOT_YET_SUPPORTED.items():
        if pattern.fullmatch(lowered):
            return f"'{name}' exports are recognised but not loaded by this version yet"
    names = ", ".join(dict.fromkeys(_as_glob(s.contract.file_pattern.pattern) for s in SOURCES))
    meant = _meant(file_name)
    guess = f": did you mean {meant}?" if meant else ""
    gissning = f" (menade du {meant}?)" if meant else ""
    return (
        f"file name matches no source{guess} (expected names: {names}): name the file as "
        "its export is named (a workbook or text file saved as CSV (semicolon) under that "
        "name), or deliver it elsewhere / filnamnet hör inte till någon källa"
        f"{gissning}: döp filen som exporten heter"
    )


def _as_glob(pattern: str) -> str:
    """A source's file-name pattern as a controller writes names.

    >>> [_as_glob(s.contract.file_pattern.pattern) for s in SOURCES][:4]
    ['organisation*.csv', 'verksamheter*.csv', 'huvudbok_*.csv', '*.se, *.si']
    """
    text = re.sub(r"\(\?!.*?\)", "", pattern).replace(".*", "*").replace("\\.", ".")
    choice = re.fullmatch(r"(.*)\(([\w|]+)\)(.*)", text)
    if choice is None:
        return text
    head, options, tail = choice.groups()
    return ", ".join(f"{head}{option}{tail}" for option in options.split("|"))


# What people change in an export's name: Swedish letters (`lön_`, `sjukfrånvaro_`: read
# as headers are, `normalise_header`), a space or hyphen for the underscore, another file
# type (`.txt`, `.xlsx`).
_WORD_THEN_SEPARATOR = re.compile(r"^([^\W\d_]+)[ .-]+(?=\w)")
# File types an export is saved as by mistake (a report's PDF is no export to rename).
_SAVED_AS = {"", "txt", "text", "xlsx", "xls", "xlsm", "ods", "tsv", "tab", "dat", "prn"}


def _meant(file_name: str) -> str | None:
    """The name of a source's export that `file_name` differs from in those ways, if any.

    >>> _meant("sjukfrånvaro_201108.csv"), _meant("Huvudbok 201108.csv")
    ('sjukfranvaro_201108.csv', 'Huvudbok_201108.csv')
    >>> _meant("huvudbok_201108.txt"), _meant("budget_2011_2.xlsx"), _meant("rapport.txt")
    ('huvudbok_201108.csv', 'budget_2011_2.csv', None)
    """
    stem, dot, suffix = file_name.rpartition(".")
    if not dot:
        stem, suffix = file_name, ""
    plain = normalise_header(stem)
    stems = [stem, plain, *(_WORD_THEN_SEPARATOR.sub(r"\1_", s) for s in (stem, plain))]
    for candidate_stem in dict.fromkeys(stems):
        for extension in dict.fromkeys([suffix, *(["csv"] if suffix.lower() in _SAVED_AS else [])]):
            candidate = f"{candidate_stem}.{extension}" if extension else candidate_stem
            if candidate != file_name and source_for(candidate) is not None:
                return candidate
    return None


def is_companion(path: Path) -> bool:
    """A `.ctl` control file (`.CTL`, `.Ctl` alike) is read with its data file; it is not a
    batch of its own."""
    return path.suffix.lower() in COMPANION_SUFFIXES


def _regular_siblings(path: Path) -> list[Path]:
    """The regular, visible files beside `path` (never a symlink, never followed)."""
    try:
        with os.scandir(path.parent) as entries:
            return [
                path.parent / e.name
                for e in entries
                if not e.name.startswith(".") and e.is_file(follow_symlinks=False)
            ]
    except OSError:
        return []


def _same_stem(candidates: list[Path], stem: str) -> list[Path]:
    """Candidates whose stem is `stem`, the exact spelling first, then any case."""
    exact = [p for p in candidates if p.stem == stem]
    return exact or [p for p in candidates if p.stem.casefold() == stem.casefold()]


def companion_files(path: Path, source: Source) -> dict[str, Path]:
    """The companion files delivered beside a data file, by their lower-case suffix.

    `huvudbok_201108.csv` takes `huvudbok_201108.ctl`, `.CTL` or `.Ctl` (and, when no
    file of the exact stem exists, the same stem in another case). A symlink is never
    a companion: it is rejected on its own.
    """
    if not source.companion_suffixes:
        return {}
    siblings = [p for p in _regular_siblings(path) if p.name != path.name]
    found: dict[str, Path] = {}
    for suffix in source.companion_suffixes:
        matching = [p for p in siblings if p.suffix.lower() == suffix]
        chosen = _same_stem(matching, path.stem)
        if chosen:
            found[suffix] = sorted(chosen)[0]
    return found


def data_file_for(companion: Path) -> Path | None:
    """The data file a control file travels with (same stem, a source taking it), or None.

    None makes the control file an orphan: reported `waiting` until its data file
    arrives, rejected when it has waited a day.
    """
    suffix = companion.suffix.lower()
    candidates = [
        p
        for p in _regular_siblings(companion)
        if not is_companion(p)
        and (source := source_for(p.name)) is not None
        and suffix in source.companion_suffixes
    ]
    for data in sorted(_same_stem(candidates, companion.stem)):
        source = source_for(data.name)
        if source is not None and companion_files(data, source).get(suffix) == companion:
            return data
    return None


def load_order(path: Path) -> tuple[int, str, str]:
    """Registers first (their codes resolve the rest), then every file in name order."""
    source = source_for(path.name)
    tier = source.contract.load_tier if source else 9
    return (tier, path.name.lower(), str(path))
