"""The dbt project over a small event log: current state, corrections, incremental builds.

Events are written straight into a DuckDB file with SQL (as the loader would leave
them), then `dbt build` runs as the CLI runs it (warehouse.build.build). The stories
share one log and its eight builds (`BUILT`: the ledger's and budget's marts and what
they read, with the nightly's tests): 80 s in CI where every model and data test took
140 s (2026-12-06). The other marts have their own tests on their own sources.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.helpers import dbt_last_compiled, dbt_last_ran
from warehouse.build import build as nightly_build
from warehouse.schema import schema_sql
from warehouse.settings import Paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds a home: `make test-fast` skips it

MARTS = (
    "dim_ansvar",
    "dim_konto",
    "dim_namnd",
    "dim_period",
    "dim_verksamhet",
    "fct_budget",
    "fct_forecast",
    "fct_ledger",
    "fct_ledger_restated",
    "fct_ledger_units",
    "fct_ledger_units_restated",
    "rpt_budget_followup",
    "rpt_budget_followup_mnkr",
)
# What each build builds: the marts above and everything upstream of them (218 of the
# project's 334 models, seeds and data tests), with the tests the nightly runs. The first
# build is a full one all the same (no build record yet: warehouse/build.py).
BUILT = tuple(f"+{name}" for name in MARTS)
T0 = dt.datetime(2011, 2, 1, tzinfo=dt.UTC)
# What only int_ledger_summed's (fct_ledger's sum) incremental path compiles to: the
# comparison with the table.
INCREMENTAL_MARK = "existing.batch_id = winners.batch_id"

# (namnd, period, verksamhet, konto, belopp) as in a huvudbok export.
Line = tuple[str, int, str, str, str]


@dataclass
class EventLog:
    """A DuckDB event log (warehouse/schema.py) that batches are appended to."""

    path: Path
    next_batch_id: int = 1

    def create(self) -> EventLog:
        with self._connect() as con:
            con.execute(schema_sql())
        return self

    def _connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.path))

    def _batch(self, con, source: str, rows: int, status: str) -> int:
        batch_id = self.next_batch_id
        self.next_batch_id += 1
        con.execute(
            "insert into events.batches values (?, ?, ?, ?, ?, ?, 'utf-8', ?, ?, ?, ?, ?)",
            [
                batch_id,
                source,
                f"{source}_{batch_id}.csv",
                f"/landing/{source}_{batch_id}.csv",
                f"sha-{batch_id}",
                100 * rows,
                T0 + dt.timedelta(days=batch_id),  # recorded_at grows with batch_id
                status,
                rows,
                None if status == "accepted" else "rejected in a test",
                None if status == "accepted" else f"/quarantine/{batch_id}.md",
            ],
        )
        return batch_id

    def _keys(self, con, batch_id: int, source: str, keys: Iterable[str]) -> None:
        counts: dict[str, int] = {}
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
        con.executemany(
            "insert into events.supersession_keys values (?, ?, ?, ?)",
            [[batch_id, source, key, n] for key, n in counts.items()],
        )

    def registers(self) -> None:
        """The organisation register and the verksamheter of board 142."""
        events = [
            ("1970-01-01", "Skapad", "101", "Kommunstyrelsen", "Kommunstyrelse", None, None),
            ("1997-01-01", "Skapad", "1015", "Kommunikationsavdelningen", "Avdelning", "101", None),
            ("2007-01-01", "Sammanslagen", "1015", "Kommunikationsavdelningen", "Avdelning", "101",
             ["1026"]),
            ("2007-01-01", "Skapad", "130", "Arbetsmarknadsnämnden", "Facknämnd", None, None),
            ("2010-01-01", "Skapad", "142", "Servicenämnden", "Facknämnd", None, None),
            ("2016-01-01", "Namnbyte", "130", "Arbetsmarknadsnämnden (AMN)", "Facknämnd", None,
             None),
        ]  # fmt: skip
        verksamheter = [
            ("142", "100", "Nämnd och administration", None),
            ("142", "230", "Kontaktcenter", None),
            ("142", "231", "Äldre Direkt", "230"),
            ("142", "240", "Ekonomiadministration", None),
            ("130", "500", "Arbetsmarknadsåtgärder", None),
        ]
        with self._connect() as con:
            batch_id = self._batch(con, "organisation", len(events), "accepted")
            con.executemany(
                "insert into events.organisation values (?, ?, ?, ?, ?, ?, ?, ?, ?, null)",
                [[batch_id, n, *event] for n, event in enumerate(events, start=2)],
            )
            self._keys(con, batch_id, "organisation", ["*"] * len(events))
            batch_id = self._batch(con, "verksamheter", len(verksamheter), "accepted")
            con.executemany(
                "insert into events.verksamheter (batch_id, line_number, namnd, verksamhet, "
                "namn, overordnad, giltig_fran, giltig_till, extra) values "
                "(?, ?, ?, ?, ?, ?, '2010-01-01', null, null)",
                [[batch_id, n, *row] for n, row in enumerate(verksamheter, start=2)],
            )
            self._keys(con, batch_id, "verksamheter", [row[0] for row in verksamheter])

    def ledger(self, lines: list[Line], status: str = "accepted") -> int:
        """Append one huvudbok export as a batch and return its batch_id.

        The loader writes nothing but the batches row for a rejected file; a rejected
        batch here also gets its keys and lines, to prove dbt ignores them regardless.
        """
        with self._connect() as con:
            batch_id = self._batch(con, "huvudbok", len(lines), status)
            con.executemany(
                "insert into events.huvudbok values "
                "(?, ?, ?, ?, null, ?, ?, null, null, ?, ?, ?, null, null)",
                [
                    [batch_id, n, period, namnd, verksamhet, konto, Decimal(belopp),
                     f"V{batch_id}-{n}", dt.date(period // 100, period % 100, 1)]
                    for n, (namnd, period, verksamhet, konto, belopp) in enumerate(lines, 2)
                ],
            )  # fmt: skip
            self._keys(con, batch_id, "huvudbok", [f"{line[0]}|{line[1]}" for line in lines])
        return batch_id

    def mapping(self, lines: list[tuple[str, str, str, str]]) -> int:
        """Append an organisationsmappning.csv delivery (från, till, andel, giltig från):
        it replaces the whole mapping (supersession key '*')."""
        with self._connect() as con:
            batch_id = self._batch(con, "organisationsmappning", len(lines), "accepted")
            con.executemany(
                "insert into events.organisationsmappning values (?, ?, ?, ?, ?, ?, null)",
                [
                    [batch_id, n, fran, till, Decimal(andel), dt.date.fromisoformat(giltig)]
                    for n, (fran, till, andel, giltig) in enumerate(lines, 2)
                ],
            )
            self._keys(con, batch_id, "organisationsmappning", ["*"] * len(lines))
        return batch_id

    def restated(self) -> dict[tuple[str, str, int], tuple[Decimal, int | None]]:
        """fct_ledger_restated summed as {(today's namnd, booked namnd, period): (amount,
        mapping batch)}."""
        rows = self.query(
            "select namnd_code, original_namnd_code, period, sum(amount), "
            "any_value(mapping_batch_id) from marts.fct_ledger_restated group by all"
        )
        return {tuple(r[:3]): tuple(r[3:]) for r in rows}

    def retract(self, target_id: int) -> int:
        """Append a retraction of a batch or retraction, on the batches' id and clock."""
        retraction_id = self.next_batch_id
        self.next_batch_id += 1
        with self._connect() as con:
            con.execute(
                "insert into events.retractions values (?, ?, 'test', ?, 'tester@host', 'test')",
                [retraction_id, target_id, T0 + dt.timedelta(days=retraction_id)],
            )
        return retraction_id

    def query(self, sql: str, parameters: list | None = None) -> list[tuple]:
        with self._connect() as con:
            return con.execute(sql, parameters or []).fetchall()

    def ledger_rows(self) -> dict[tuple[str, str, str, int], tuple[Decimal, int, int]]:
        """fct_ledger as {(namnd, verksamhet, konto, period): (amount, line_count, batch_id)}."""
        rows = self.query(
            "select namnd_code, verksamhet_code, konto, period, amount, line_count, batch_id "
            "from marts.fct_ledger"
        )
        return {tuple(r[:4]): tuple(r[4:]) for r in rows}

    def marts(self) -> dict[str, list[tuple]]:
        """Every mart, all columns, in a stable order (names come from MARTS)."""
        return {name: self.query(f"select * from marts.{name} order by all") for name in MARTS}


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EventLog]:
    """An event log with the two registers, and dbt pointed at it."""
    path = tmp_path / "warehouse" / "tertial.duckdb"
    path.parent.mkdir()
    monkeypatch.setenv("TERTIAL_DB_PATH", str(path))
    event_log = EventLog(path).create()
    event_log.registers()
    yield event_log


def build(tmp_path: Path, *extra: str) -> dict[str, str]:
    """`dbt build` as our Python code runs it (warehouse.build.build, the home's paths
    from warehouse.settings); every node must pass. The compiled SQL by node id."""
    home = Paths(tmp_path)
    assert set(extra) <= {"--full-refresh"}, extra
    # raises BuildFailed on any failed node
    assert nightly_build(
        home, full_refresh="--full-refresh" in extra, tests="nightly", select=BUILT
    ).success
    ran = dbt_last_ran(home)
    failed = {node: status for node, status in ran.items() if status not in ("success", "pass")}
    assert ran and not failed, failed
    return dbt_last_compiled(home)


def compiled_ledger_sum(compiled: dict[str, str]) -> str:
    return compiled["model.tertial.int_ledger_summed"]


def test_builds_give_current_state_are_idempotent_and_incremental_equals_full_refresh(
    log: EventLog, tmp_path: Path
) -> None:
    """Three stories share the log, and so its six builds (one first build, incremental
    builds, each compared with a full refresh of the same log):

    - 2012, board 142: the current state, a correction with fewer lines, rejected
      batches that never count, and a build with nothing new that changes nothing;
    - July-September 2011, boards 130 and 142: one export for two boards, a correction
      of one board, codes the registers lack, a rejected re-export;
    - January-March 2011, board 142: a correction retracted, a month's only delivery
      retracted, then the retraction itself retracted.
    """
    # -- 2012: the first deliveries (the rejected one is newer than both: never counts)
    first_2012 = log.ledger(
        [
            ("142", 201201, "240", "5010", "1000.50"),
            ("142", 201201, "240", "5010", "200.25"),
            ("142", 201201, "240", "3410", "-500.00"),
            ("142", 201201, "230", "6110", "300.00"),
            ("142", 201201, "231", "4610", "99.99"),
        ]
    )
    february_2012 = log.ledger(
        [("142", 201202, "240", "5010", "700.00"), ("142", 201202, "100", "1221", "5000")]
    )
    log.ledger([("142", 201201, "240", "5010", "999999.99")], status="rejected")
    # -- 2011: one export for two boards: it supersedes each (namnd, period) it holds.
    two_boards = log.ledger(
        [
            ("142", 201107, "240", "5010", "100.00"),
            ("142", 201107, "240", "5010", "0.01"),
            ("130", 201107, "500", "4610", "2500.00"),
            ("130", 201107, "500", "3410", "-2500.00"),
        ]
    )
    august = log.ledger([("142", 201108, "230", "6110", "42.00")])
    january = log.ledger([("142", 201101, "240", "5010", "100.00")])
    correction = log.ledger([("142", 201101, "240", "5010", "150.00")])
    february = log.ledger([("142", 201102, "240", "5010", "70.00")])

    first = build(tmp_path)

    assert INCREMENTAL_MARK not in compiled_ledger_sum(first)  # a first build creates the table
    # No mapping delivered: history restated is history as booked.
    assert {mapping for _, mapping in log.restated().values()} == {None}
    assert_restated_sums_are_booked(log)
    assert rows_2012(log) == {
        ("142", "240", "5010", 201201): (Decimal("1200.75"), 2, first_2012),
        ("142", "240", "3410", 201201): (Decimal("-500.00"), 1, first_2012),
        ("142", "230", "6110", 201201): (Decimal("300.00"), 1, first_2012),
        ("142", "231", "4610", 201201): (Decimal("99.99"), 1, first_2012),
        ("142", "240", "5010", 201202): (Decimal("700.00"), 1, february_2012),
        ("142", "100", "1221", 201202): (Decimal("5000.00"), 1, february_2012),
    }
    assert {k: v for k, v in log.ledger_rows().items() if k[3] < 201107} == {
        ("142", "240", "5010", 201101): (Decimal("150.00"), 1, correction),
        ("142", "240", "5010", 201102): (Decimal("70.00"), 1, february),
    }
    # Money stays exact, lineage points at the batch and its transaction time.
    assert log.query(
        "select distinct typeof(f.amount), f.recorded_at = b.recorded_at "
        "from marts.fct_ledger f join events.batches b using (batch_id)"
    ) == [("DECIMAL(18,2)", True)]
    # Models land in exactly staging / intermediate / marts.
    schemas = {
        s for (s,) in log.query("select distinct table_schema from information_schema.tables")
    }
    assert schemas == {"events", "staging", "intermediate", "marts"}
    # Every fact finds its dimension rows; the dimensions carry their Unknown member.
    assert log.query(
        "select n.namnd_name, v.verksamhet_name, v.is_varav, k.followup_slag, "
        "k.followup_sign, p.month_name, p.tertial, sum(f.amount * k.followup_sign) "
        "from marts.fct_ledger f "
        "join marts.dim_namnd n on n.namnd_key = f.namnd_key and n.is_current "
        "join marts.dim_verksamhet v using (verksamhet_key) "
        "join marts.dim_konto k using (konto_key) "
        "join marts.dim_period p using (period_key) "
        "where f.period = 201201 group by all order by all"
    ) == [
        ("Servicenämnden", "Ekonomiadministration", False, "Intäkter", -1, "januari", 1,
         Decimal("500.00")),
        ("Servicenämnden", "Ekonomiadministration", False, "Kostnader", 1, "januari", 1,
         Decimal("1200.75")),
        ("Servicenämnden", "Kontaktcenter", False, "Kostnader", 1, "januari", 1,
         Decimal("300.00")),
        ("Servicenämnden", "Äldre Direkt", True, "Kostnader", 1, "januari", 1, Decimal("99.99")),
    ]  # fmt: skip
    assert log.query(
        "select namnd_code, namnd_name, valid_to, is_current, is_active, successor_codes, "
        "today_namnd_code from marts.dim_namnd where namnd_code in ('-1', '130', '1015') "
        "order by 1, valid_from"
    ) == [
        ("-1", "Okänd", None, True, True, None, "-1"),
        ("1015", "Kommunikationsavdelningen", dt.date(2007, 1, 1), True, False, ["1026"], "1015"),
        ("130", "Arbetsmarknadsnämnden", dt.date(2016, 1, 1), False, True, None, "130"),
        ("130", "Arbetsmarknadsnämnden (AMN)", None, True, True, None, "130"),
    ]
    assert log.query("select followup_slag from marts.dim_konto where konto = '1221'") == [
        ("Investering",)
    ]
    assert log.query("select count(*), min(period_key), max(period_key) from marts.dim_period") == [
        (41 * 12 + 1, -1, 204012)
    ]

    # -- 2012: a correction of (142, 201201) with fewer lines, a new month, a rejected
    # batch.
    correction_2012 = log.ledger([("142", 201201, "240", "5010", "1100.00")])
    march_2012 = log.ledger([("142", 201203, "240", "5010", "800.00")])
    log.ledger([("142", 201202, "240", "5010", "1.00")], status="rejected")
    # -- 2011: a correction for board 130 only, a new month with an activity and an
    # account group the registers lack, and a rejected re-export.
    board_130 = log.ledger([("130", 201107, "500", "4610", "2400.00")])
    september = log.ledger(
        [
            ("142", 201109, "240", "5010", "10.00"),
            ("142", 201109, "999", "8550", "3.50"),
            ("142", 201109, "240", "9999", "-0.50"),
        ]
    )
    log.ledger([("142", 201108, "230", "6110", "43.00")], status="rejected")
    # Retract the correction (the older batch wins again, below any high-water mark)
    # and February's only delivery (the key vanishes).
    retract_correction = log.retract(correction)
    log.retract(february)
    # A reorganisation: from 2012 board 142 carries 0,6 of what 130 was (130 keeps 0,4).
    split_60 = log.mapping(
        [("130", "142", "0.6", "2012-01-01"), ("130", "130", "0.4", "2012-01-01")]
    )

    incremental = build(tmp_path)

    assert INCREMENTAL_MARK in compiled_ledger_sum(incremental)  # the incremental path ran
    # and so did the marts kept per key the same way
    for mart in ("fct_ledger", "fct_ledger_restated"):
        assert INCREMENTAL_MARK in incremental[f"model.tertial.{mart}"], mart
    assert rows_2012(log) == {
        # The correction replaced the whole key: combinations it lacks are gone.
        ("142", "240", "5010", 201201): (Decimal("1100.00"), 1, correction_2012),
        ("142", "240", "5010", 201202): (Decimal("700.00"), 1, february_2012),
        ("142", "100", "1221", 201202): (Decimal("5000.00"), 1, february_2012),
        ("142", "240", "5010", 201203): (Decimal("800.00"), 1, march_2012),
    }
    assert {k: v for k, v in log.ledger_rows().items() if k[3] < 201201} == {
        ("142", "240", "5010", 201101): (Decimal("100.00"), 1, january),
        ("142", "240", "5010", 201107): (Decimal("100.01"), 2, two_boards),
        ("130", "500", "4610", 201107): (Decimal("2400.00"), 1, board_130),
        ("142", "230", "6110", 201108): (Decimal("42.00"), 1, august),
        ("142", "240", "5010", 201109): (Decimal("10.00"), 1, september),
        ("142", "999", "8550", 201109): (Decimal("3.50"), 1, september),
        ("142", "240", "9999", 201109): (Decimal("-0.50"), 1, september),
    }
    # Codes the registers lack still find a dimension row (inferred, never lost).
    assert log.query(
        "select v.verksamhet_name, v.is_inferred, k.kontoklass, k.kontogrupp_name "
        "from marts.fct_ledger f join marts.dim_verksamhet v using (verksamhet_key) "
        "join marts.dim_konto k using (konto_key) "
        "where f.period = 201109 order by f.konto"
    ) == [
        ("Ekonomiadministration", False, 5, "Löner för arbetad tid"),
        ("Okänd", True, 8, "Finansiella kostnader"),
        ("Ekonomiadministration", False, 9, None),
    ]
    # Restated: 130's July 2011 divided 0,6/0,4, every other key whole; all rows name
    # the mapping they were restated with, and the totals are the booked ones.
    restated = log.restated()
    assert restated[("142", "130", 201107)] == (Decimal("1440.00"), split_60)
    assert restated[("130", "130", 201107)] == (Decimal("960.00"), split_60)
    assert restated[("142", "142", 201203)] == (Decimal("800.00"), split_60)
    assert_restated_sums_are_booked(log)
    after_incremental = log.marts()

    build(tmp_path)  # nothing new delivered

    assert log.marts() == after_incremental

    full = build(tmp_path, "--full-refresh")

    assert INCREMENTAL_MARK not in compiled_ledger_sum(full)
    assert log.marts() == after_incremental

    # Retracting the retraction restores the correction; a new month arrives as well.
    log.retract(retract_correction)
    march = log.ledger([("142", 201103, "230", "6110", "9.00")])
    # A new mapping (0,5/0,5) restates every key already restated, ledger unchanged.
    split_50 = log.mapping(
        [("130", "142", "0.5", "2012-01-01"), ("130", "130", "0.5", "2012-01-01")]
    )
    build(tmp_path)
    after_incremental = log.marts()
    assert {k: v for k, v in log.ledger_rows().items() if k[3] < 201107} == {
        ("142", "240", "5010", 201101): (Decimal("150.00"), 1, correction),
        ("142", "230", "6110", 201103): (Decimal("9.00"), 1, march),
    }
    restated = log.restated()
    assert restated[("142", "130", 201107)] == (Decimal("1200.00"), split_50)
    assert restated[("130", "130", 201107)] == (Decimal("1200.00"), split_50)
    assert {mapping for _, mapping in restated.values()} == {split_50}
    assert_restated_sums_are_booked(log)
    build(tmp_path, "--full-refresh")
    assert log.marts() == after_incremental

    # Retracting the new mapping brings the old one back, on every key.
    log.retract(split_50)
    build(tmp_path)
    restated = log.restated()
    assert restated[("142", "130", 201107)] == (Decimal("1440.00"), split_60)
    assert {mapping for _, mapping in restated.values()} == {split_60}
    after_incremental = log.marts()
    build(tmp_path, "--full-refresh")
    assert log.marts() == after_incremental


def assert_restated_sums_are_booked(log: EventLog) -> None:
    """Per booked (nämnd, period), fct_ledger_restated's pieces sum to fct_ledger."""
    assert log.query(
        "select namnd_code, period, sum(amount) from marts.fct_ledger group by all order by all"
    ) == log.query(
        "select original_namnd_code, period, sum(amount) from marts.fct_ledger_restated "
        "group by all order by all"
    )


def rows_2012(log: EventLog) -> dict[tuple[str, str, str, int], tuple[Decimal, int, int]]:
    """fct_ledger's rows of the 2012 story."""
    return {k: v for k, v in log.ledger_rows().items() if k[3] >= 201201}
