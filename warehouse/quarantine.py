"""Quarantine: a rejected file kept beside a report a controller can read."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

from sources._common.validation import Failure


def quarantine(
    folder: Path,
    file_path: Path,
    *,
    sha256: str,
    source: str | None,
    reason: str,
    failures: Sequence[Failure] = (),
    move: bool = False,
) -> Path:
    """Put the file (and its `.ctl`) in `folder/<name>.<sha12>/` with report.json/.txt.

    The folder is named by content, so quarantining the same bytes twice rewrites one
    report instead of piling up copies. Returns the path of the readable report.
    """
    target = folder / f"{file_path.name}.{sha256[:12]}"
    target.mkdir(parents=True, exist_ok=True)
    companions = [p for p in [file_path.with_suffix(".ctl")] if p.exists() and p != file_path]
    for path in [file_path, *companions]:
        (shutil.move if move else shutil.copy2)(str(path), target / path.name)
    report = {
        "file": str(file_path),
        "sha256": sha256,
        "source": source,
        "rejected_at": dt.datetime.now(dt.UTC).isoformat(),
        "reason": reason,
        "failures": [
            {
                "rule": f.rule,
                "expectation": f.expectation,
                "column": f.column,
                "unexpected_count": f.unexpected_count,
                "rows": [
                    {"line": line, "value": _plain(value)}
                    for line, value in zip(f.lines, f.values, strict=False)
                ],
                "observed": _plain(f.observed),
            }
            for f in failures
        ],
    }
    (target / "report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    text_lines = [
        f"REJECTED: {file_path.name}",
        f"file:    {file_path}",
        f"sha256:  {sha256}",
        f"source:  {source or 'unknown'}",
        f"reason:  {reason}",
        "",
        "Nothing of this file entered the warehouse. Fix the export and deliver it again.",
    ]
    for failure in failures:
        text_lines += [
            "",
            f"rule:   {failure.rule}",
            f"column: {failure.column or '-'}",
            f"rows:   {failure.unexpected_count}",
        ]
        text_lines += [
            f"  line {line}: {value!r}"
            for line, value in zip(failure.lines, failure.values, strict=False)
        ]
        if not failure.lines and failure.observed is not None:
            text_lines.append(f"  found: {failure.observed!r}")
    report_path = target / "report.txt"
    report_path.write_text("\n".join(text_lines) + "\n", encoding="utf-8")
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
