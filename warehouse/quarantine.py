"""Quarantine: a rejected file kept beside a report a controller can read.

Everything here is written from the bytes the loader read (never re-read from landing/),
fsynced, and only then may the loader remove the file from landing/. Every text of the
reports is masked (`sources._common.personnummer.mask`): only the quarantined file
itself keeps what it was delivered with, its name included.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from sources._common.outcome import Failure, cell_text
from sources._common.personnummer import mask

# Most file systems allow 255 bytes per name. A folder `<name>.<sha12>` is kept below it.
NAME_MAX_BYTES = 255
SHA_TAG = 13  # "." + 12 hex digits


def printable(text: str) -> str:
    """A file name or path as text any report, log or table can hold: bytes that are not
    UTF-8 (a name from a Windows share) shown as U+FFFD, control characters (a newline
    in a name) as `?`.

    >>> printable("huvudbok_2011\\udcff.csv"), printable("a\\nb.csv")
    ('huvudbok_2011\ufffd.csv', 'a?b.csv')
    """
    text = os.fsencode(text).decode("utf-8", errors="replace")
    return "".join("?" if ord(c) < 32 or 127 <= ord(c) < 160 else c for c in text)


def shown(text: str) -> str:
    """`printable` and masked: how a file name or path appears outside the file itself."""
    return mask(printable(text))


def folder_name(file_name: str, sha256: str) -> str:
    """`<name>.<sha12>`, the name masked and shortened so the whole fits in 255 bytes.

    >>> folder_name("huvudbok_201108.csv", "ab" * 32)
    'huvudbok_201108.csv.abababababab'
    >>> len(folder_name("x" * 251 + ".csv", "ab" * 32))
    255
    >>> folder_name("huvudbok_19121212-1212.csv", "ab" * 32)
    'huvudbok_19121212-****.csv.abababababab'
    """
    return f"{_fit(shown(file_name), NAME_MAX_BYTES - SHA_TAG)}.{sha256[:12]}"


def _fit(name: str, limit: int) -> str:
    """`name` within `limit` UTF-8 bytes: its start, `~`, and its suffix when too long."""
    if len(name.encode("utf-8")) <= limit:
        return name
    suffix = Path(name).suffix if len(Path(name).suffix) <= 16 else ""
    room = limit - len(suffix.encode("utf-8")) - 1
    start = name.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return f"{start}~{suffix}"


def write_durably(path: Path, data: bytes | Path) -> None:
    """Write `data` to `path` and fsync it: it is on disk before anything is removed.

    `data`: the bytes, or a file whose bytes are copied in 1 MiB blocks (a file too large
    to be read whole: warehouse.settings.max_file_bytes)."""
    with open(path, "wb") as out:
        if isinstance(data, Path):
            with open(data, "rb") as source:
                shutil.copyfileobj(source, out, 1 << 20)
        else:
            out.write(data)
        out.flush()
        os.fsync(out.fileno())


def fsync_folder(folder: Path) -> None:
    """Make the folder's new entries durable (a no-op where the OS cannot)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def keep_copy(target: Path, file_name: str, data: bytes | Path) -> Path:
    """Write `data` (bytes, or a file's: `write_durably`) as `target/<file_name>`, or under
    a shortened name if that is too long."""
    path = target / file_name
    try:
        write_durably(path, data)
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
        path = target / _fit(file_name, NAME_MAX_BYTES)
        write_durably(path, data)
    return path


def quarantine(
    folder: Path,
    file_path: Path,
    *,
    sha256: str,
    source: str | None,
    reason: str,
    failures: Sequence[Failure] = (),
    data: bytes | Path | None = None,
    companions: Mapping[str, bytes] | None = None,
    note: str | None = None,
) -> Path:
    """Keep the file's bytes (and its `.ctl`) in `folder/<name>.<sha12>/` with report.json/.txt.

    `data` is what the loader read (a path: the file, too large to be read whole,
    copied; None: the file could not be read, or is a symlink, and only the report is
    written); `companions` maps each companion's file name to its bytes. The folder is
    named by content, so quarantining the same bytes twice rewrites one report instead of
    piling up copies. Returns the path of the readable report.
    """
    target = folder / folder_name(file_path.name, sha256)
    target.mkdir(parents=True, exist_ok=True)
    kept = []
    if data is not None:
        kept.append(keep_copy(target, file_path.name, data).name)
    for name, companion in (companions or {}).items():
        kept.append(keep_copy(target, name, companion).name)
    report = {
        "file": shown(str(file_path)),
        "sha256": sha256,
        "source": source,
        "rejected_at": dt.datetime.now(dt.UTC).isoformat(),
        "reason": mask(reason),
        "kept": [shown(name) for name in kept],
        "note": mask(note) if note else None,
        "failures": [
            {
                "rule": mask(f.rule),
                "expectation": f.expectation,
                "column": mask(f.column) if f.column else f.column,
                "unexpected_count": f.unexpected_count,
                "rows": [
                    {"line": line, "value": _masked(_plain(value))}
                    for line, value in zip(f.lines, f.values, strict=False)
                ],
                "observed": _masked(_plain(f.observed)),
                "hint": mask(f.hint) if f.hint else None,
            }
            for f in failures
        ],
    }
    write_durably(
        target / "report.json",
        json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8", errors="replace"),
    )
    text_lines = [
        f"REJECTED: {shown(file_path.name)}",
        f"file:    {shown(str(file_path))}",
        f"sha256:  {sha256}",
        f"source:  {source or 'unknown'}",
        f"reason:  {mask(reason)}",
    ]
    if note:
        text_lines.append(f"note:    {mask(note)}")
    text_lines += [
        "",
        "Nothing of this file entered the warehouse. Fix the export and deliver it again.",
        "Inget ur filen har kommit in i lagret. Rätta exporten och leverera den igen.",
    ]
    for failure in failures:
        text_lines += [
            "",
            f"rule:   {mask(failure.rule)}",
            f"column: {mask(failure.column) if failure.column else '-'}",
            f"rows:   {failure.unexpected_count}",
        ]
        text_lines += [
            f"  line {line}: {mask(cell_text(value))}"
            for line, value in zip(failure.lines, failure.values, strict=False)
        ]
        if not failure.lines and failure.observed is not None:
            text_lines.append(f"  found: {mask(repr(failure.observed))}")
        if failure.hint:
            text_lines.append(f"hint:   {mask(failure.hint)}")
    report_path = target / "report.txt"
    write_durably(report_path, ("\n".join(text_lines) + "\n").encode("utf-8", errors="replace"))
    fsync_folder(target)
    fsync_folder(folder)
    return report_path


def _plain(value: object) -> object:
    """JSON-safe rendering of a value GX reported (tuples, decimals, dates)."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _masked(value: object) -> object:
    """`value` (made plain) with every text in it masked."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, dict):
        return {mask(k): _masked(v) for k, v in value.items()}
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value)
        return mask(text) if mask(text) != text else value
    return value
