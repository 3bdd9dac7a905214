"""Files written whole or not at all: under a temporary name of this process, then renamed.

A reader sees the old file or the new one, never half of one, and two processes writing
the same file at once (two loaders handed the same export, two builds sharing dbt's
parse) each rename a whole file of their own: with one shared temporary name, one
renamed the other's away (warehouse/docs.py, 2026-12-07).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def temporary_for(target: Path) -> Path:
    """This process's temporary name beside `target` (hidden, so no reader lists it)."""
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def write_whole(target: Path, data: bytes | str) -> None:
    """`data` (text as UTF-8) at `target`, whole or not at all."""
    temporary = temporary_for(target)
    try:
        temporary.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def copy_whole(source: Path, target: Path) -> None:
    """`source` copied to `target` with its modification time, whole or not at all."""
    temporary = temporary_for(target)
    try:
        shutil.copy2(source, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
