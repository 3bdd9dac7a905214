"""dbt's log lines made only for the loggers that write them.

dbt formats every event it fires into a line for each of its loggers (the console's and
dbt.log's: JSON for ours) and only then lets Python's logging drop the line when the
event is below that logger's level. The SQL-statement and connection events (~25 a
node, debug level) were so formatted twice and thrown away: 0.52 s of the 6.2 s that
the 10-year nightly's `dbt run` held the GIL (py-spy, 2026-12-07), on threads that
share one interpreter.

`install` asks the logger first, as Python's logging itself does (`isEnabledFor`, the
level `send_to_logger` would log the line at): a line no handler would write is not
made. Every line that is written is the same, at the same level; `--debug` or
`DBT_LOG_LEVEL_FILE=debug` write the statements as before.
"""

from __future__ import annotations

import logging
from typing import Any

# dbt's event levels as Python's logging levels (dbt_common.events.logger `send_to_logger`).
LEVELS = {
    "test": logging.DEBUG,
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "error": logging.ERROR,
}


def written(python_logger: logging.Logger | None, level: str) -> bool:
    """Whether `python_logger` writes a line at dbt's `level` (an unknown level: yes, so
    dbt raises on it as it would)."""
    if python_logger is None:
        return False
    return level not in LEVELS or python_logger.isEnabledFor(LEVELS[level])


def install() -> None:
    """Let dbt's loggers skip the lines they would not write, for this process."""
    from dbt_common.events import logger as dbt_logger

    write_line = dbt_logger._Logger.write_line
    if getattr(write_line, "skips_unwritten", False):
        return

    def write(self: Any, msg: Any) -> None:
        # The level dbt logs the line at: a print event as an error (so --quiet prints it).
        level = "error" if dbt_logger._is_print_event(msg) else msg.info.level
        if written(self._python_logger, level):
            write_line(self, msg)

    write.skips_unwritten = True  # type: ignore[attr-defined]
    dbt_logger._Logger.write_line = write  # type: ignore[method-assign]
