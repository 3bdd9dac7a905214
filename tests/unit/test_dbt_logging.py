"""dbt's log lines made only for the loggers that write them (warehouse/dbt_logging.py):
dbt's own event manager and loggers, the same lines written, none made for nothing."""

from __future__ import annotations

import io
import json

import pytest
from dbt_common.events import logger as dbt_logger
from dbt_common.events import types
from dbt_common.events.base_types import EventLevel
from dbt_common.events.event_manager import EventManager
from dbt_common.events.logger import LineFormat, LoggerConfig

from warehouse import dbt_logging


def fire_all(level: EventLevel) -> tuple[list[str], list[str]]:
    """Fire a debug, an info and a print event at a JSON logger of `level`: the lines it
    wrote (event names) and the events it made a line of."""
    made: list[str] = []
    create_line = dbt_logger._JsonLogger.create_line

    def counting(self: dbt_logger._JsonLogger, msg: object) -> str:
        made.append(msg.info.name)  # type: ignore[attr-defined]
        return create_line(self, msg)

    stream = io.StringIO()
    manager = EventManager()
    config = LoggerConfig(
        name="tertial_test", line_format=LineFormat.Json, level=level, output_stream=stream
    )
    manager.add_logger(config)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dbt_logger._JsonLogger, "create_line", counting)
        manager.fire_event(types.Note(msg="a statement"), level=EventLevel.DEBUG)
        manager.fire_event(types.Note(msg="a result"))
        manager.fire_event(types.PrintEvent(msg="printed"))
    written = [json.loads(line)["info"]["msg"] for line in stream.getvalue().splitlines()]
    return written, made


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed for this test only (dbt's own write_line is put back after it)."""
    monkeypatch.setattr(dbt_logger._Logger, "write_line", dbt_logger._Logger.write_line)
    dbt_logging.install()


def test_dbt_as_shipped_makes_lines_it_never_writes() -> None:
    written, made = fire_all(EventLevel.INFO)
    assert written == ["a result", "printed"]
    assert made == ["Note", "Note", "PrintEvent"]  # the debug event's line too


@pytest.mark.usefixtures("installed")
def test_the_same_lines_are_written_and_none_made_for_nothing() -> None:
    assert fire_all(EventLevel.INFO) == (["a result", "printed"], ["Note", "PrintEvent"])
    # A debug logger (--debug, DBT_LOG_LEVEL_FILE=debug) writes every statement as before.
    written, made = fire_all(EventLevel.DEBUG)
    assert written == ["a statement", "a result", "printed"] and len(made) == 3
    # --quiet: only errors, and print events (dbt logs them as errors for that reason).
    assert fire_all(EventLevel.ERROR) == (["printed"], ["PrintEvent"])


@pytest.mark.usefixtures("installed")
def test_installing_twice_wraps_once() -> None:
    write_line = dbt_logger._Logger.write_line
    dbt_logging.install()
    assert dbt_logger._Logger.write_line is write_line
