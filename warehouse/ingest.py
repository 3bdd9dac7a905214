"""Ingest delivered files: parse, check, then append as a batch or quarantine.

One file is one batch. The order is fixed (registers first, then name order) so that a
folder loads the same way every time and a later delivery supersedes an earlier one.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sources._common.csvfile import ParseError
from sources._common.validation import Failure, Outcome
from sources.registry import is_companion, load_order, source_for, unknown_source_reason
from tertial.settings import Paths
from warehouse.crashpoints import crash_point
from warehouse.docs import save_validations
from warehouse.quarantine import quarantine
from warehouse.store import BatchMeta, EventStore

Status = Literal["accepted", "duplicate", "rejected"]
Progress = Callable[[str], None]


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

    def line(self) -> str:
        """The one line per file the CLI prints."""
        what = f"{self.source or '?'}"
        if self.status == "accepted":
            return (
                f"accepted   {self.path.name}  [{what}, batch {self.batch_id}, "
                f"{self.rows:,} rows, {self.seconds:.1f}s]"
            )
        if self.status == "duplicate":
            return f"duplicate  {self.path.name}  [same bytes as batch {self.batch_id}]"
        return f"rejected   {self.path.name}  [{what}] {self.reason}  (report: {self.report})"


def expand(inputs: Iterable[Path]) -> list[Path]:
    """Files to ingest from files and folders (recursively), in load order.

    Control files (`.ctl`) travel with their data file and hidden files are skipped.
    """
    found: set[Path] = set()
    for item in inputs:
        if not item.exists():
            raise FileNotFoundError(f"no such file or folder: {item}")
        candidates = sorted(item.rglob("*")) if item.is_dir() else [item]
        for path in candidates:
            if path.is_file() and not path.name.startswith(".") and not is_companion(path):
                found.add(path.resolve())
    return sorted(found, key=load_order)


def ingest_file(store: EventStore, path: Path, paths: Paths, *, move: bool = False) -> FileResult:
    """Parse, check and append one file, or quarantine it with a report."""
    started = time.perf_counter()
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    source = source_for(path.name)
    meta = BatchMeta(
        source=source.name if source else "unknown",
        file_name=path.name,
        file_path=str(path),
        sha256=sha256,
        file_bytes=len(data),
        encoding=None,
        row_count=0,
    )

    def reject(reason: str, failures: tuple[Failure, ...] = (), **changes: object) -> FileResult:
        rejected = BatchMeta(**{**meta.__dict__, **changes})
        report = quarantine(
            paths.quarantine,
            path,
            sha256=sha256,
            source=source.name if source else None,
            reason=reason,
            failures=failures,
            move=move,
        )
        # The same bytes rejected again for the same reason change nothing: the earlier
        # rejection stands (loading a folder twice must leave the log as it was).
        batch_id = store.rejected_batch_with(sha256, reason) or store.record_rejection(
            rejected, reason, str(report)
        )
        return FileResult(
            path,
            rejected.source,
            "rejected",
            batch_id,
            rejected.row_count,
            reason,
            report,
            time.perf_counter() - started,
        )

    if source is None:
        return reject(unknown_source_reason(path.name))
    existing = store.accepted_batch_with(sha256)
    if existing is not None:
        if move:
            _archive(path, paths, sha256)
        return FileResult(
            path, source.name, "duplicate", existing, 0, seconds=time.perf_counter() - started
        )

    companions = {
        suffix: companion.read_bytes()
        for suffix in source.companion_suffixes
        if (companion := path.with_suffix(suffix)).exists()
    }
    try:
        parsed = source.parse(data, path.name, companions)
    except ParseError as exc:
        return reject(f"cannot be read: {exc}")
    crash_point("after_parse")
    outcomes = tuple(source.check(parsed, store.reference()))
    save_validations(paths.validations, path.name, sha256, outcomes)
    failures = tuple(f for o in outcomes for f in o.failures)
    counted = {"encoding": parsed.encoding, "row_count": parsed.row_count}
    crash_point("after_validation")
    if failures:
        first = failures[0]
        more = f" (+{len(failures) - 1} more rule(s))" if len(failures) > 1 else ""
        return reject(f"{first.summary()}{more}", failures, **counted)

    accepted = BatchMeta(**{**meta.__dict__, **counted})
    batch_id = store.append(accepted, parsed, source.supersession_keys(parsed))
    crash_point("after_commit")
    if move:
        _archive(path, paths, sha256)
    return FileResult(
        path,
        source.name,
        "accepted",
        batch_id,
        parsed.row_count,
        seconds=time.perf_counter() - started,
        outcomes=outcomes,
    )


def _archive(path: Path, paths: Paths, sha256: str) -> None:
    """Take a loaded file (and its `.ctl`) out of landing/, so the inbox shows what is new."""
    target = paths.archive / f"{path.name}.{sha256[:12]}"
    target.mkdir(parents=True, exist_ok=True)
    for file in [path, path.with_suffix(".ctl")]:
        if file.exists() and (file == path or is_companion(file)):
            shutil.move(str(file), target / file.name)


def ingest(
    paths: Paths, inputs: Iterable[Path], *, move: bool = False, progress: Progress | None = None
) -> list[FileResult]:
    """Ingest every file under `inputs`, one batch (one transaction) per file."""
    files = expand(inputs)
    results = []
    with EventStore(paths.database) as store:
        for number, path in enumerate(files, start=1):
            result = ingest_file(store, path, paths, move=move)
            results.append(result)
            if progress:
                progress(f"[{number}/{len(files)}] {result.line()}")
    return results


def summary(results: list[FileResult]) -> str:
    """`12 files: 10 accepted (41,230 rows), 1 duplicate, 1 rejected`."""
    count = {
        s: [r for r in results if r.status == s] for s in ("accepted", "duplicate", "rejected")
    }
    rows = sum(r.rows for r in count["accepted"])
    return (
        f"{len(results)} file(s): {len(count['accepted'])} accepted ({rows:,} rows), "
        f"{len(count['duplicate'])} duplicate, {len(count['rejected'])} rejected"
    )
