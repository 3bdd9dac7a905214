"""Ingest delivered files: parse, check, then append as a batch or quarantine.

One file is one batch. The order is fixed (registers first, then name order) so that a
folder loads the same way every time and a later delivery supersedes an earlier one.

Whatever a file holds, it ends `accepted`, `duplicate`, `waiting` or `rejected`: an
unexpected error while reading or checking it is itself a rejection (rule `unreadable`),
so one file never stops the night. Only a failure of the warehouse itself (the event
store, its disk) propagates.

Taking files from `landing/` (the nightly run, the Dagster assets):

- a file is taken only once it has not changed for `TERTIAL_LANDING_SETTLE_SECONDS`
  (default 60; its modification and status-change times): an upload still being written
  is `waiting` and left for the next run;
- its bytes are read once and hashed, and its size and times compared again after the
  read and before the commit: a file that changed meanwhile is `waiting`, never loaded half;
- the bytes read are copied into `archive/` or `quarantine/` (a folder named by content
  hash), fsynced, and only then is the file removed from `landing/`, and only if it is
  still exactly what was read (else it stays for the next run, reported `waiting`);
- a symlink is never followed, read or moved with its target: it is rejected (rule
  `symlink`) and the link itself is moved to quarantine; symlinked folders are not entered;
- a control file (`.ctl`, any case) travels with its data file; one without a data file
  waits for it for a day, then is rejected and quarantined.

`tertial ingest PATH` (files the user named) does not wait for files to settle: the user
named the file and nothing is moved. A file that changes while being read is still
`waiting`, and the same checks apply.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import importlib
import os
import stat
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import duckdb

from sources._common.csvfile import ParseError
from sources._common.outcome import Failure, Outcome
from sources._common.personnummer import file_name_failure, mask
from sources._common.source import Source
from sources.registry import (
    SOURCES,
    companion_files,
    data_file_for,
    is_companion,
    load_order,
    source_for,
    unknown_source_reason,
)
from warehouse.crashpoints import crash_point, fault_point
from warehouse.docs import save_validations
from warehouse.quarantine import (
    NAME_MAX_BYTES,
    SHA_TAG,
    folder_name,
    fsync_folder,
    keep_copy,
    printable,
    quarantine,
    shown,
)
from warehouse.settings import (
    MAX_FILE_MB_ENV,
    ORPHAN_CONTROL_SECONDS,
    Paths,
    landing_settle_seconds,
    max_file_bytes,
)
from warehouse.store import BatchMeta, DuplicateBatch, EventStore

Status = Literal["accepted", "duplicate", "waiting", "rejected"]
STATUSES: tuple[Status, ...] = ("accepted", "duplicate", "waiting", "rejected")
Progress = Callable[[str], None]

# Rules of the loader itself (GX rules name themselves in the expectation suites).
UNREADABLE = "unreadable"
SYMLINK = "symlink"
NAME_TOO_LONG = "file name too long"
NOT_A_FILE = "not a regular file"
ORPHAN_CONTROL = "control file without its data file"
CANNOT_BE_READ = "cannot be read"
FILE_NAME_PERSONNUMMER = "no personnummer in the file name"
UNKNOWN_SOURCE = "file name matches no source"
TOO_LARGE = "file-too-large"

# Why a file is left `waiting` when landing/ changed under the loader.
GONE = "no longer there (taken by another run or removed)"
CHANGED_WHILE_READ = (
    "changed while it was being read: left for the next run (an upload may still be writing "
    "it) / ändrades under inläsningen: läses in vid nästa körning"
)

MAX_NAME_BYTES = NAME_MAX_BYTES - SHA_TAG  # `<name>.<sha12>` must fit in 255 bytes


@dataclass(frozen=True)
class FileResult:
    """What happened to one delivered file."""

    path: Path
    source: str | None
    status: Status
    batch_id: int | None
    rows: int
    reason: str | None = None
    report: Path | None = None
    seconds: float = 0.0
    outcomes: tuple[Outcome, ...] = ()

    @property
    def name(self) -> str:
        """The file's name as it may be shown anywhere: a personnummer in it masked."""
        return shown(self.path.name)

    def line(self) -> str:
        """The one line per file the CLI prints (masked: no personnummer in any line)."""
        what = f"{self.source or '?'}"
        if self.status == "accepted":
            return (
                f"accepted   {self.name}  [{what}, batch {self.batch_id}, "
                f"{self.rows:,} rows, {self.seconds:.1f}s]"
            )
        if self.status == "duplicate":
            return f"duplicate  {self.name}  [same bytes as batch {self.batch_id}]"
        if self.status == "waiting":
            return f"waiting    {self.name}  [{what}] {shown(self.reason or '')}"
        return (
            f"rejected   {self.name}  [{what}] {shown(self.reason or '')}  (report: {self.report})"
        )


# -- which files ---------------------------------------------------------------------------


def _absolute(path: Path) -> Path:
    """An absolute path without following any symlink (unlike `resolve()`)."""
    return Path(os.path.abspath(path))


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path` lies under `folder`, judged by the names alone (no link followed)."""
    path, folder = _absolute(path), _absolute(folder)
    return path != folder and folder in path.parents


def _walk(folder: Path) -> Iterable[Path]:
    """Every entry under `folder` that is a file or a symlink; symlinked folders are
    reported as entries, never entered."""
    for root, dirs, files in os.walk(folder, followlinks=False):
        base = Path(root)
        for name in dirs:
            if os.path.islink(base / name):
                yield base / name
        for name in files:
            yield base / name


def expand(inputs: Iterable[Path]) -> list[Path]:
    """Files to ingest from files and folders (recursively), in load order.

    Control files (`.ctl`, any case) travel with their data file (a control file named
    alone brings its data file along); one with no data file beside it is listed on its
    own, to be reported. Hidden files are skipped. Symlinks are listed, never followed
    (the loader rejects them); a symlinked folder is not entered.
    """
    candidates: dict[Path, None] = {}
    for item in inputs:
        item = _absolute(Path(item))
        if not os.path.lexists(item):
            raise FileNotFoundError(f"no such file or folder: {item}")
        # A folder named on the command line (or landing/ itself) may be a link to a
        # mounted share: the user chose it. Links inside it are never entered.
        found = _walk(item) if item.is_dir() else [item]
        for path in found:
            if not path.name.startswith("."):
                candidates[path] = None
    files: set[Path] = set()
    for path in candidates:
        if not path.is_symlink() and is_companion(path):
            data = data_file_for(path)
            files.add(data if data is not None else path)
        else:
            files.add(path)
    return sorted(files, key=load_order)


# -- one file ------------------------------------------------------------------------------


def _signature(st: os.stat_result) -> tuple[int, int, int, int, int]:
    """What must not change between reading a file and removing it from landing/."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def seconds_since_change(st: os.stat_result, now: float) -> float:
    """Seconds since the file last changed: its content (mtime) or its entry (ctime: a
    file renamed or copied in with an old mtime counts as new). An mtime in the future
    (a clock elsewhere, `touch -d`) is not trusted."""
    last = st.st_ctime if st.st_mtime > now + 1 else max(st.st_mtime, st.st_ctime)
    return now - last


def _read_once(path: Path, before: os.stat_result) -> bytes:
    """The file's bytes, never through a symlink swapped in since `before`."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        opened = os.fstat(descriptor)
        if (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
            raise FileNotFoundError(errno.ENOENT, "replaced while being opened", str(path))
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            return stream.read()
    finally:
        os.close(descriptor)


def _one_line(exc: BaseException) -> str:
    """`Type: message`, its first line, masked and bounded."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    line = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    line = mask(line)
    return line if len(line) <= 300 else line[:297] + "..."


def _control_source(path: Path) -> Source | None:
    """The source whose control file this can be: its data file `<stem>.csv` would be
    that source's and the source takes control files; else None."""
    suffix = path.suffix.lower()
    data_name = f"{path.stem}.csv"
    return next(
        (s for s in SOURCES if suffix in s.companion_suffixes and s.contract.matches(data_name)),
        None,
    )


@dataclass
class _File:
    """One file being ingested: where, what was read, what to do with it afterwards."""

    store: EventStore
    paths: Paths
    path: Path
    take: bool  # remove it from landing/ once handled (the nightly run)
    started: float
    source: Source | None = None
    stat: os.stat_result | None = None
    data: bytes | None = None
    sha256: str = hashlib.sha256(b"").hexdigest()
    companions: dict[Path, tuple[bytes, os.stat_result]] | None = None
    too_large: bool = False  # never read whole: hashed and kept from the file, streamed

    @property
    def source_name(self) -> str | None:
        return self.source.name if self.source else None

    def result(self, status: Status, **fields: object) -> FileResult:
        base: dict[str, object] = {"batch_id": None, "rows": 0}
        return FileResult(
            path=self.path,
            source=self.source_name,
            status=status,
            seconds=time.perf_counter() - self.started,
            **{**base, **fields},  # type: ignore[arg-type]
        )

    def waiting(self, reason: str) -> FileResult:
        return self.result("waiting", reason=shown(reason))

    def meta(self, **changes: object) -> BatchMeta:
        base = BatchMeta(
            source=self.source_name or "unknown",
            file_name=shown(self.path.name),
            file_path=shown(str(self.path)),
            sha256=self.sha256,
            file_bytes=len(self.data) if self.data is not None else 0,
            encoding=None,
            row_count=0,
        )
        return BatchMeta(**{**base.__dict__, **changes})

    def unchanged(self) -> bool:
        """Whether the file in place is still exactly the one read."""
        try:
            now = os.lstat(self.path)
        except OSError:
            return False
        return self.stat is not None and _signature(now) == _signature(self.stat)

    def remove(self) -> bool:
        """Remove the file (then its companions) from landing/ if still as read.

        False: it changed since it was read and stays for the next run (with its
        companions: the next run needs them).
        """
        if not self.unchanged():
            return not os.path.lexists(self.path)
        os.unlink(self.path)
        for companion, (_, read_stat) in (self.companions or {}).items():
            try:
                if _signature(os.lstat(companion)) == _signature(read_stat):
                    os.unlink(companion)
            except FileNotFoundError:
                pass
        fsync_folder(self.path.parent)
        return True

    def companion_bytes(self) -> dict[str, bytes]:
        """The companions read, by file name (as kept in archive/ and quarantine/)."""
        return {p.name: data for p, (data, _) in (self.companions or {}).items()}

    def companion_bytes_by_suffix(self) -> dict[str, bytes]:
        """The companions read, by lower-case suffix (as the parsers take them)."""
        return {p.suffix.lower(): data for p, (data, _) in (self.companions or {}).items()}

    def reject(
        self,
        rule_name: str,
        reason: str,
        failures: tuple[Failure, ...] = (),
        *,
        note: str | None = None,
        outcomes: tuple[Outcome, ...] = (),
        **changes: object,
    ) -> FileResult:
        """Quarantine the bytes read with a report, record the rejection, then (from
        landing/) remove the file if it is still what was read. `outcomes`: the suites
        that ran, kept on the result (Dagster's check counts the expectations evaluated)."""
        reason = shown(reason)
        if not failures:
            failures = (Failure(rule_name, "loader", None, 0, (), ()),)
        rejected = self.meta(**changes)
        report = quarantine(
            self.paths.quarantine,
            self.path,
            sha256=self.sha256,
            source=self.source_name,
            reason=reason,
            failures=failures,
            data=self.path if self.too_large else self.data,
            companions=self.companion_bytes(),
            note=note,
        )
        # The same bytes rejected again for the same reason change nothing: the earlier
        # rejection stands (loading a folder twice must leave the log as it was).
        batch_id = self.store.rejected_batch_with(
            self.sha256, reason
        ) or self.store.record_rejection(rejected, reason, str(report))
        if self.take and (self.data is not None or self.too_large) and not self.remove():
            return self.result(
                "waiting",
                batch_id=batch_id,
                reason=f"changed in landing/ while it was checked: left there for the next "
                f"run (the bytes read were rejected: {reason}) / filen ändrades under "
                "inläsningen och läses in vid nästa körning",
                report=report,
            )
        return self.result(
            "rejected",
            batch_id=batch_id,
            rows=rejected.row_count,
            reason=reason,
            report=report,
            outcomes=outcomes,
        )

    def archive(self) -> bool:
        """Copy the bytes read (and the `.ctl`) into archive/, fsynced, then remove the
        file from landing/ if unchanged. False when it changed and stays."""
        target = self.paths.archive / folder_name(self.path.name, self.sha256)
        target.mkdir(parents=True, exist_ok=True)
        assert self.data is not None
        keep_copy(target, self.path.name, self.data)
        for name, data in self.companion_bytes().items():
            keep_copy(target, name, data)
        fsync_folder(target)
        fsync_folder(self.paths.archive)
        return self.remove()


def ingest_file(
    store: EventStore,
    path: Path,
    paths: Paths,
    *,
    move: bool = False,
    settle_seconds: float | None = None,
) -> FileResult:
    """Parse, check and append one file, or quarantine it with a report, or leave it
    waiting. Never raises for anything in the file; the event store's failures propagate.

    `move`: take the file out of landing/ once handled (only a file under landing/ is
    ever moved). `settle_seconds` (for files taken from landing/): how long the file must
    be unchanged; default `TERTIAL_LANDING_SETTLE_SECONDS`.
    """
    take = move and _inside(path, paths.landing)
    file = _File(store, paths, path, take, time.perf_counter())
    settle = 0.0
    if take:
        settle = landing_settle_seconds() if settle_seconds is None else settle_seconds

    try:
        file.stat = os.lstat(path)
    except FileNotFoundError:
        return file.waiting(GONE)
    except OSError as exc:
        return file.reject(UNREADABLE, _unreadable_reason(exc))

    if stat.S_ISLNK(file.stat.st_mode):
        return _reject_symlink(file)
    if not stat.S_ISREG(file.stat.st_mode):
        # Never opened (a pipe would block the night); from landing/ the entry is
        # removed: it holds no bytes to keep.
        result = file.reject(
            NOT_A_FILE,
            f"{NOT_A_FILE}: a pipe, socket or device cannot be an export: deliver the file "
            "itself / inte en vanlig fil: leverera själva filen",
        )
        if take:
            with contextlib.suppress(OSError):
                os.unlink(path)
        return result
    if is_companion(path):
        return _control_file_alone(file)

    age = seconds_since_change(file.stat, time.time())
    if age < settle:
        return file.waiting(
            f"changed {max(age, 0):.0f}s ago: taken once unchanged for {settle:.0f}s "
            "(an upload may still be writing it) / ändrades nyss: läses in när den varit "
            "oförändrad en stund"
        )
    limit = max_file_bytes()
    if file.stat.st_size > limit:
        return _reject_too_large(file, limit)
    try:
        file.data = _read_once(path, file.stat)
    except FileNotFoundError:
        return file.waiting(GONE)
    except OSError as exc:
        return file.reject(UNREADABLE, _unreadable_reason(exc))
    if len(file.data) != file.stat.st_size or not file.unchanged():
        return file.waiting(CHANGED_WHILE_READ)
    try:
        file.source = source_for(path.name)
        refusal = _name_refusal(path.name)
    except Exception as exc:  # no file may stop the night
        refusal = (UNREADABLE, _unreadable_reason(exc))
    if file.source is not None and refusal is None:
        # Before the hash, which lets go of the GIL (0.18 s for the 80 MB probe month):
        # GX's import, all GIL, runs beside it. A file that turns out to be a duplicate
        # has then started an import that nothing waits for.
        _import_the_guard_meanwhile()
    file.sha256 = hashlib.sha256(file.data).hexdigest()
    if refusal is not None:
        return file.reject(*refusal)
    if file.source is None:
        return file.reject(UNKNOWN_SOURCE, unknown_source_reason(path.name))
    source = file.source

    existing = store.accepted_batch_with(file.sha256)
    if existing is not None:
        return _duplicate(file, source, existing, take)

    reference = store.reference()
    try:
        _read_companions(file, source)
        parsed = source.parse(file.data, printable(path.name), file.companion_bytes_by_suffix())
        # The checks' own Polars work (every cell's personnummer scan) while GX may still
        # be importing: it would wait for GX inside the suites otherwise.
        _ = parsed.checked_raw
        crash_point("after_parse")
        fault_point("after_parse", path.name)
        outcomes = tuple(source.check(parsed, reference))
        save_validations(paths.validations, printable(path.name), file.sha256, outcomes)
        failures = tuple(f for o in outcomes for f in o.failures)
        counted = {"encoding": parsed.encoding, "row_count": parsed.row_count}
        if failures:
            more = f" (+{len(failures) - 1} more rule(s))" if len(failures) > 1 else ""
            verdict = f"{failures[0].summary()}{more}"
        else:
            keys = source.supersession_keys(parsed)
    except ParseError as exc:
        return file.reject(CANNOT_BE_READ, f"{CANNOT_BE_READ}: {exc}")
    except Exception as exc:  # no file may stop the night
        if _is_warehouse_failure(exc):
            raise
        return file.reject(UNREADABLE, _unreadable_reason(exc, source))
    crash_point("after_validation")
    if failures:
        return file.reject(failures[0].rule, verdict, failures, outcomes=outcomes, **counted)

    if take and not file.unchanged():
        return file.waiting(
            "changed in landing/ while it was checked: nothing appended, left for the next "
            "run / ändrades under kontrollen: läses in vid nästa körning"
        )
    try:
        batch_id = store.append(file.meta(**counted), parsed, keys)
    except DuplicateBatch as exc:
        # On the lake, a concurrent loader accepted the same bytes while this one
        # checked them: one batch, and this file is its duplicate.
        return _duplicate(file, source, exc.batch_id, take)
    except duckdb.DataError as exc:
        # A value the event log's types refuse (the append rolled back whole): the
        # file's doing, not the warehouse's.
        return file.reject(UNREADABLE, _unreadable_reason(exc, source), **counted)
    crash_point("after_commit")
    if take and not file.archive():
        return file.result(
            "waiting",
            batch_id=batch_id,
            rows=parsed.row_count,
            reason=f"loaded as batch {batch_id} ({parsed.row_count:,} rows), but it changed in "
            "landing/ after it was read: left there, the next run loads it again and its "
            "newer batch supersedes this one / ändrades efter inläsningen: läses in igen",
            outcomes=outcomes,
        )
    return file.result("accepted", batch_id=batch_id, rows=parsed.row_count, outcomes=outcomes)


def _duplicate(file: _File, source: Source, existing: int, take: bool) -> FileResult:
    """The file's bytes are batch `existing` already: nothing appended."""
    if take:
        # Its control file goes to the archive with it; one that cannot be read
        # stays in landing/ and is reported there as an orphan.
        _read_companions(file, source, quiet=True)
    if take and not file.archive():
        return file.waiting(
            f"same bytes as batch {existing}, but it changed in landing/ while it was "
            "handled: left there for the next run / ändrades under inläsningen"
        )
    return file.result("duplicate", batch_id=existing)


def _read_companions(file: _File, source: Source, *, quiet: bool = False) -> bool:
    """Read the control file(s) beside the data file once, never through a symlink."""
    file.companions = {}
    ok = True
    for companion in companion_files(file.path, source).values():
        try:
            before = os.lstat(companion)
            file.companions[companion] = (_read_once(companion, before), before)
        except OSError:
            if not quiet:
                raise
            ok = False
    return ok


def _name_refusal(name: str) -> tuple[str, str] | None:
    """A file name the warehouse must refuse: a personnummer in it, or too long."""
    personnummer = file_name_failure(printable(name))
    if personnummer is not None:
        return FILE_NAME_PERSONNUMMER, personnummer
    size = len(os.fsencode(name))
    if size > MAX_NAME_BYTES:
        return (
            NAME_TOO_LONG,
            f"{NAME_TOO_LONG}: {size} bytes, at most {MAX_NAME_BYTES}: shorten the export's "
            f"file name / filnamnet är för långt ({size} byte, högst {MAX_NAME_BYTES}): "
            "korta filnamnet",
        )
    return None


def _unreadable_reason(exc: BaseException, source: Source | None = None) -> str:
    what = f"a {source.name} export" if source else "an export"
    return (
        f"{UNREADABLE}: {_one_line(exc)}: the file could not be read as {what}: deliver "
        "the system's own export again (;-separated text in UTF-8 or Windows-1252, not "
        "XLSX, not UTF-16) / filen kunde inte läsas: leverera systemets export igen "
        "(semikolonseparerad text, inte XLSX)"
    )


def _is_warehouse_failure(exc: BaseException) -> bool:
    """An error of the warehouse itself, not of the file: it must stop the run.

    Its own disk full or read-only, or the event store failing while a check reads it
    (the checks ask it which codes and activities exist). A DuckDB data error (a value
    out of range) is the file's.
    """
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS)
    return isinstance(exc, duckdb.Error) and not isinstance(exc, duckdb.DataError)


def _reject_too_large(file: _File, limit: int) -> FileResult:
    """Reject a file larger than the loader may read whole (settings.max_file_bytes),
    without reading it whole: hashed and kept in quarantine/ block by block."""
    assert file.stat is not None
    size = file.stat.st_size
    try:
        with open(file.path, "rb") as stream:
            file.sha256 = hashlib.file_digest(stream, "sha256").hexdigest()
    except FileNotFoundError:
        return file.waiting(GONE)
    except OSError as exc:
        return file.reject(UNREADABLE, _unreadable_reason(exc))
    if not file.unchanged():
        return file.waiting(CHANGED_WHILE_READ)
    file.too_large = True
    try:
        file.source = source_for(file.path.name)
        refusal = _name_refusal(file.path.name)
    except Exception as exc:  # no file may stop the night
        refusal = (UNREADABLE, _unreadable_reason(exc))
    if file.source is not None:
        _read_companions(file, file.source, quiet=True)  # kept with it in quarantine/
    if refusal is not None:  # a personnummer in the name is said first
        return file.reject(*refusal, file_bytes=size)
    return file.reject(
        TOO_LARGE,
        f"{TOO_LARGE}: {_megabytes(size)}, this machine loads files up to "
        f"{_megabytes(limit)} (a file is checked in memory, about 6× its size; "
        f"${MAX_FILE_MB_ENV} sets the limit): split the export, one month or one board "
        f"per file / filen är för stor ({_megabytes(size)}, högst {_megabytes(limit)}): "
        "dela upp exporten, en månad eller en nämnd per fil",
        file_bytes=size,
    )


def _megabytes(size: int) -> str:
    """A file size as a controller reads it.

    >>> _megabytes(2_345_678_901), _megabytes(80_123_456), _megabytes(1_500_000)
    ('2 346 MB', '80 MB', '1.5 MB')
    >>> _megabytes(35_729)
    '36 kB'
    """
    if size < 1_000_000:
        return f"{size / 1000:.0f} kB"
    if size < 10_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size / 1_000_000:,.0f} MB".replace(",", " ")


def _reject_symlink(file: _File) -> FileResult:
    """Reject a symlink without following it; from landing/, move the link itself away."""
    try:
        target = os.readlink(file.path)
    except OSError:
        target = "?"
    file.sha256 = hashlib.sha256(os.fsencode(target)).hexdigest()
    file.source = source_for(file.path.name)
    result = file.reject(
        SYMLINK,
        f"{SYMLINK}: a symbolic link is never followed: deliver the file itself, not a link "
        "/ symbolisk länk: lägg själva filen i landing/, inte en länk",
        note=f"the link pointed to {target}; that file was not read, moved or changed",
    )
    if file.take and result.report is not None:
        moved = result.report.parent / file.path.name
        try:
            os.rename(file.path, moved)  # rename never follows the link: the link moves
        except OSError:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(file.path)  # removes the link, never its target
    return result


def _control_file_alone(file: _File) -> FileResult:
    """A control file reached alone: its data file comes later, or never (after a day)."""
    assert file.stat is not None
    file.source = _control_source(file.path)
    data_file = data_file_for(file.path)
    if data_file is not None:
        return file.waiting(
            f"control file: read with its data file {shown(data_file.name)} (next run) / "
            "kontrollfil: läses med sin datafil"
        )
    stem = shown(file.path.stem)
    age = time.time() - file.stat.st_mtime
    if file.source is None:
        takers = ", ".join(
            s.contract.file_pattern.pattern
            for s in SOURCES
            if file.path.suffix.lower() in s.companion_suffixes
        )
        why = (
            f"{ORPHAN_CONTROL}: no export named {stem}.csv takes a control file (only "
            f"{takers} do): deliver a control file only beside its data file, named as it "
            "is / kontrollfil utan datafil: en kontrollfil hör till en datafil med samma namn"
        )
    elif age < ORPHAN_CONTROL_SECONDS:
        hours = (ORPHAN_CONTROL_SECONDS - age) / 3600
        return file.waiting(
            f"{ORPHAN_CONTROL}: waiting for the data file {stem}.* (rejected if it has not "
            f"come in {hours:.0f} h) / kontrollfil utan sin datafil: väntar på {stem}.* "
            "i ett dygn"
        )
    else:
        why = (
            f"{ORPHAN_CONTROL}: no data file {stem}.* came within a day: deliver the data "
            "file and its control file together / kontrollfil utan sin datafil: leverera "
            "datafilen och kontrollfilen tillsammans"
        )
    try:
        file.data = _read_once(file.path, file.stat)
    except FileNotFoundError:
        return file.waiting(GONE)
    except OSError as exc:
        return file.reject(UNREADABLE, _unreadable_reason(exc))
    file.sha256 = hashlib.sha256(file.data).hexdigest()
    return file.reject(ORPHAN_CONTROL, why)


@cache
def _import_the_guard_meanwhile() -> None:
    """Import Great Expectations in a thread while the first file is hashed and parsed.

    GX imports for ~1.7 s on this machine (SQLAlchemy, pandas, its own pydantic models;
    scipy.stats, altair, jsonschema and boto3, another 1.15 s, are deferred by
    sources._common.deferred), all of it Python holding the GIL; the hash and the parse
    (Polars) let go of it. Only once a file's name names a source: a night without new
    files never imports GX, and a duplicate starts the import and exits without waiting
    for it (0.01 s more for the 80 MB probe month). The check imports the same module
    and waits for this import to finish, as any import of a module being imported.
    """
    threading.Thread(
        target=importlib.import_module,
        args=("sources._common.validation",),
        name="import-great-expectations",
        daemon=True,
    ).start()


def ingest(
    paths: Paths,
    inputs: Iterable[Path],
    *,
    move: bool = False,
    progress: Progress | None = None,
    settle_seconds: float | None = None,
    expanded: bool = False,
) -> list[FileResult]:
    """Ingest every file under `inputs`, one batch (one transaction) per file.

    `expanded`: `inputs` is already a list from `expand` (the Dagster assets pick their
    own files from it), taken as it is: a symlink in it is rejected, never entered.
    """
    files = [_absolute(Path(p)) for p in inputs] if expanded else expand(inputs)
    results = []
    with EventStore(paths.database) as store:
        for number, path in enumerate(files, start=1):
            result = ingest_file(store, path, paths, move=move, settle_seconds=settle_seconds)
            results.append(result)
            if progress:
                progress(f"[{number}/{len(files)}] {result.line()}")
    return results


def summary(results: list[FileResult]) -> str:
    """`12 files: 10 accepted (41,230 rows), 1 duplicate, 1 rejected` (and `, 2 waiting`
    when files were left in landing/ for the next run)."""
    count = {s: [r for r in results if r.status == s] for s in STATUSES}
    rows = sum(r.rows for r in count["accepted"])
    waiting = f", {len(count['waiting'])} waiting" if count["waiting"] else ""
    return (
        f"{len(results)} file(s): {len(count['accepted'])} accepted ({rows:,} rows), "
        f"{len(count['duplicate'])} duplicate, {len(count['rejected'])} rejected{waiting}"
    )
