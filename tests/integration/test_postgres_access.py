"""Board logins and row-level security in PostgreSQL (warehouse/postgres/access.py), on a
real server: each login connects over TCP with its password, as a BI tool does.

Everything happens in a database of its own (`access_test`) on the session's server, so
the refresh's tests on `tertial` are not disturbed; the logins (cluster-wide roles) are
named `acc_*` and dropped at the end.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import psycopg
import pytest
from psycopg import errors

from tertial.cli import main
from warehouse.postgres import access
from warehouse.postgres.server import LocalServer

pytestmark = pytest.mark.integration

DATABASE = "access_test"
BOARDS = ("142", "140", "131")
# Tables shaped like the marts: (name, columns, rows); namnd_code where the mart has one.
MARTS = {
    "fct_ledger": (
        "namnd_key integer, namnd_code text, period integer, amount numeric(18,2)",
        [(k, code, 201106, f"{k * 1000}.25") for k, code in enumerate(BOARDS, 1) for _ in "ab"],
    ),
    "rpt_budget_followup": (
        "namnd_code text, year integer, deviation numeric(18,2)",
        [(code, 2011, "-12.50") for code in BOARDS],
    ),
    "dim_namnd": (
        "namnd_key integer, namnd_code text, namnd_name text",
        [(-1, "-1", "Okänd"), *[(k, code, f"Nämnd {code}") for k, code in enumerate(BOARDS, 1)]],
    ),
    "meta_freshness": (
        "source_name text, namnd_code text, file_name text",
        [("organisation", None, "organisation.csv")]
        + [("huvudbok", code, "huvudbok_201106.csv") for code in BOARDS],
    ),
    "dim_konto": ("konto_key integer, konto text", [(1, "4010"), (2, "3010")]),
}
META = {
    "batches": ("batch_id integer, file_name text", [(1, "huvudbok_201106.csv")]),
    "publication": ("published_at timestamptz", [("2011-07-01 00:00+00",)]),
}
BOARD_SCOPED = ("fct_ledger", "rpt_budget_followup", "dim_namnd", "meta_freshness")


def _create(con: psycopg.Connection, schema: str, tables: dict) -> None:
    con.execute(f"create schema {schema}")
    for name, (columns, rows) in tables.items():
        con.execute(f"create table {schema}.{name} ({columns})")
        marks = ", ".join(["%s"] * len(rows[0]))
        with con.cursor() as cur:
            cur.executemany(f"insert into {schema}.{name} values ({marks})", rows)


@pytest.fixture(scope="module")
def server(pg_server: LocalServer) -> Iterator[LocalServer]:
    """`access_test` with marts and meta loaded, secured and swapped in as the refresh does."""
    with psycopg.connect(pg_server.loader_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f"drop database if exists {DATABASE} with (force)")
        admin.execute(f"create database {DATABASE}")
    with psycopg.connect(pg_server.loader_dsn(DATABASE)) as con:
        _create(con, "marts_new", MARTS)
        _create(con, "meta_new", META)
        access.ensure_roles(con)
        access.secure_schema(con, "marts_new")
        access.secure_schema(con, "meta_new")
        # The swap of warehouse/postgres/refresh.py: grants and policies move with the tables.
        con.execute("alter schema marts_new rename to marts")
        con.execute("alter schema meta_new rename to meta")
    yield pg_server
    with psycopg.connect(pg_server.loader_dsn(DATABASE)) as con:
        for login in access.list_logins(con):
            if login.login.startswith("acc_"):
                access.revoke(con, login.login)
    with psycopg.connect(pg_server.loader_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f"drop database {DATABASE} with (force)")


@pytest.fixture(scope="module")
def passwords(server: LocalServer) -> dict[str, str]:
    with psycopg.connect(server.loader_dsn(DATABASE)) as con:
        return {
            "acc_b142": access.grant_board(con, "acc_b142", ["142"]),
            "acc_b140": access.grant_board(con, "acc_b140", ["140", "131"]),
            "acc_all": access.grant_read(con, "acc_all"),
        }


def _reader(server: LocalServer, login: str, password: str) -> psycopg.Connection:
    return psycopg.connect(server.reader_dsn(login, password, DATABASE), autocommit=True)


def _codes(con: psycopg.Connection, table: str) -> list[str | None]:
    return sorted(
        (code for (code,) in con.execute(f"select namnd_code from marts.{table}")),
        key=lambda c: c or "",
    )


def test_a_board_login_sees_its_boards_only_and_tertial_read_everything(
    server: LocalServer, passwords: dict[str, str]
) -> None:
    with psycopg.connect(server.loader_dsn(DATABASE)) as loader:
        everything = {t: _codes(loader, t) for t in BOARD_SCOPED}
    with (
        _reader(server, "acc_b142", passwords["acc_b142"]) as b142,
        _reader(server, "acc_b140", passwords["acc_b140"]) as b140,
        _reader(server, "acc_all", passwords["acc_all"]) as reader,
    ):
        for table in BOARD_SCOPED:
            assert _codes(b142, table) == [c for c in everything[table] if c == "142"], table
            assert set(_codes(b140, table)) == {"140", "131"}, table
            assert _codes(reader, table) == everything[table], table
        # Money comes through exact, numeric(18,2), as the board's own rows.
        total = b142.execute("select sum(amount) from marts.fct_ledger").fetchone()[0]
        assert total == Decimal("2000.50")
        for con in (b142, b140, reader):
            assert len(con.execute("select * from marts.dim_konto").fetchall()) == 2
            assert len(con.execute("select * from meta.publication").fetchall()) == 1
        assert reader.execute("select file_name from meta.batches").fetchall() == [
            ("huvudbok_201106.csv",)
        ]
        for board in (b142, b140):
            with pytest.raises(errors.InsufficientPrivilege):
                board.execute("select * from meta.batches")


def test_the_board_policy_runs_my_boards_once_per_query_not_per_row(
    server: LocalServer, passwords: dict[str, str]
) -> None:
    with _reader(server, "acc_b142", passwords["acc_b142"]) as b142:
        plan = [
            line
            for (line,) in b142.execute(
                "explain (verbose) select sum(amount) from marts.fct_ledger"
            )
        ]
    text = "\n".join(plan)
    # An InitPlan is evaluated once per query; the per-row filter compares with its result.
    assert "InitPlan 1" in text, text
    [row_filter] = [line for line in plan if "Filter:" in line]
    assert "ANY (" in row_filter and "my_boards" not in row_filter, text


WRITES = [
    "insert into marts.fct_ledger values (9, '142', 201106, 1.00)",
    "update marts.fct_ledger set amount = 0",
    "delete from marts.fct_ledger",
    "truncate marts.fct_ledger",
    "create table marts.mine (n integer)",
    "create table public.mine (n integer)",
    "create temporary table mine (n integer)",
    "create schema mine",
    "drop table marts.fct_ledger",
    "alter table marts.fct_ledger add column mine integer",
    "alter table marts.fct_ledger disable row level security",
    "drop policy tertial_board_rows on marts.fct_ledger",
    "create view marts.mine as select 1",
    "insert into meta.publication values (now())",
    "copy marts.fct_ledger to '/tmp/tertial-access-test-copy'",
    "copy marts.fct_ledger from '/etc/hostname'",
    "select pg_read_file('/etc/hostname')",
    "select pg_ls_dir('.')",
    "select lo_from_bytea(0, 'x')",
    "select lo_import('/etc/hostname')",
    "select * from tertial_access.board_grant",
    "insert into tertial_access.board_grant values ('acc_b140', '142')",
    "create function public.mine() returns int language sql as 'select 1'",
]


@pytest.mark.parametrize("login", ["acc_b142", "acc_all"])
def test_every_write_by_a_reader_is_refused(
    server: LocalServer, passwords: dict[str, str], login: str
) -> None:
    with _reader(server, login, passwords[login]) as con:
        for statement in WRITES:
            with pytest.raises(errors.InsufficientPrivilege):
                con.execute(statement)
                pytest.fail(f"{login} could: {statement}")
        with (
            pytest.raises(errors.InsufficientPrivilege),
            con.cursor() as cur,
            cur.copy("copy marts.fct_ledger from stdin") as copy,
        ):
            copy.write_row((9, "142", 201106, "1.00"))
        assert con.execute("select count(*) from marts.fct_ledger").fetchone()[0] > 0


def test_passwords_are_scram_hashes_and_a_wrong_one_is_refused(
    server: LocalServer, passwords: dict[str, str]
) -> None:
    with psycopg.connect(server.loader_dsn(DATABASE)) as con:
        stored = dict(
            con.execute(
                "select rolname, rolpassword from pg_authid where rolname = any(%s)",
                [list(passwords)],
            ).fetchall()
        )
        # A second grant adds a board to the existing login and makes no new password.
        assert access.grant_board(con, "acc_b142", ["142"]) is None
    assert set(stored) == set(passwords)
    assert all(hash_.startswith("SCRAM-SHA-256$") for hash_ in stored.values())
    assert not any(passwords[login] in hash_ for login, hash_ in stored.items())
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        _reader(server, "acc_b142", passwords["acc_b142"] + "x")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        _reader(server, "acc_b142", passwords["acc_all"])


def test_revoking_a_board_and_a_login_takes_their_access(server: LocalServer) -> None:
    with psycopg.connect(server.loader_dsn(DATABASE)) as loader:
        password = access.grant_board(loader, "acc_tmp", ["142", "140"])
        assert password is not None
        with _reader(server, "acc_tmp", password) as con:
            assert set(_codes(con, "fct_ledger")) == {"142", "140"}
            access.revoke(loader, "acc_tmp", "140")
            # Effective at the login's next query, in the same session.
            assert set(_codes(con, "fct_ledger")) == {"142"}
            access.revoke(loader, "acc_tmp", "142")
            assert _codes(con, "fct_ledger") == []
        access.revoke(loader, "acc_tmp")
        assert "acc_tmp" not in {x.login for x in access.list_logins(loader)}
        gone = loader.execute("select count(*) from pg_roles where rolname = 'acc_tmp'")
        assert gone.fetchone()[0] == 0
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        _reader(server, "acc_tmp", password)


@pytest.mark.parametrize(
    ("login", "codes", "message"),
    [
        ("SN_analys", ["142"], "lowercase"),
        ("sn-analys", ["142"], "lowercase"),
        ("1sn", ["142"], "lowercase"),
        ("pg_sn", ["142"], "reserved"),
        ("tertial_read", ["142"], "reserved"),
        ("acc_bad", ["14a"], "digits"),
        ("acc_bad", ["999"], "not in marts.dim_namnd"),
        ("acc_bad", [], "at least one board"),
    ],
)
def test_a_bad_login_or_board_code_is_refused_with_a_reason(
    server: LocalServer, login: str, codes: list[str], message: str
) -> None:
    with psycopg.connect(server.loader_dsn(DATABASE)) as con:
        with pytest.raises(access.AccessError, match=message):
            access.grant_board(con, login, codes)
        assert "acc_bad" not in {x.login for x in access.list_logins(con)}


def test_a_role_that_is_no_tertial_login_is_left_alone(server: LocalServer) -> None:
    with psycopg.connect(server.loader_dsn(DATABASE)) as con:
        con.execute("drop role if exists acc_stranger")
        con.execute("create role acc_stranger login")
        with pytest.raises(access.AccessError, match="not a tertial login"):
            access.grant_read(con, "acc_stranger")
        with pytest.raises(access.AccessError, match="no tertial login"):
            access.revoke(con, "acc_stranger")
        con.execute("drop role acc_stranger")


def _acl_state(con: psycopg.Connection, schema: str) -> list[tuple]:
    return con.execute(
        "select c.relname, c.relacl::text, c.relrowsecurity, n.nspacl::text,"
        " array(select (p.polname, p.polroles::regrole[]::text,"
        "               pg_get_expr(p.polqual, p.polrelid))::text"
        "       from pg_policy p where p.polrelid = c.oid order by p.polname)"
        " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s order by c.relname",
        [schema],
    ).fetchall()


def test_secure_schema_twice_on_a_fresh_schema_gives_the_same_privileges(
    server: LocalServer,
) -> None:
    with psycopg.connect(server.loader_dsn(DATABASE)) as con:
        con.execute("drop schema if exists marts_twice cascade")
        _create(con, "marts_twice", MARTS)
        access.secure_schema(con, "marts_twice")
        once = _acl_state(con, "marts_twice")
        # Something a reader should not have, left behind: the second pass takes it away.
        con.execute("grant insert on marts_twice.fct_ledger to public, tertial_board")
        access.secure_schema(con, "marts_twice")
        twice = _acl_state(con, "marts_twice")
        con.execute("drop schema marts_twice cascade")
    assert twice == once
    by_table = {name: (acl, rls, policies) for name, acl, rls, _, policies in once}
    assert by_table["fct_ledger"][1] and not by_table["dim_konto"][1]
    assert len(by_table["fct_ledger"][2]) == 2
    assert "tertial_board=r/" in by_table["dim_konto"][0]


def test_the_cli_grants_lists_and_revokes(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TERTIAL_PG_DSN", server.loader_dsn(DATABASE))
    assert main(["access", "grant", "--namnd", "142", "--login", "acc_cli"]) == 0
    out = capsys.readouterr().out
    [password] = [line.split(": ", 1)[1] for line in out.splitlines() if "password:" in line]
    assert f"port: {server.port}" in out and f"database: {DATABASE}" in out
    assert "host: 127.0.0.1" in out
    with _reader(server, "acc_cli", password) as con:
        assert set(_codes(con, "fct_ledger")) == {"142"}

    assert main(["access", "grant", "--namnd", "140", "--login", "acc_cli"]) == 0
    assert "password" not in capsys.readouterr().out  # printed once, at creation only
    assert main(["access", "list", "--format", "json"]) == 0
    listed = {x["login"]: x for x in json.loads(capsys.readouterr().out)}
    assert listed["acc_cli"]["boards"] == "140, 142"
    assert listed["acc_cli"]["created"]

    assert main(["access", "revoke", "--login", "acc_cli", "--namnd", "140"]) == 0
    assert main(["access", "revoke", "--login", "acc_cli"]) == 0
    assert capsys.readouterr().out == "acc_cli: board 140 revoked\nacc_cli: login dropped\n"
    assert main(["access", "list", "--format", "json"]) == 0
    assert "acc_cli" not in capsys.readouterr().out

    assert main(["access", "grant", "--namnd", "142", "--login", "Bad Name"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: login 'Bad Name'") and err.count("\n") == 1


def test_the_cli_says_in_one_line_when_no_server_runs(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TERTIAL_PG_DSN", raising=False)
    assert main(["--home", str(tmp_path), "access", "list"]) == 2
    err = capsys.readouterr().err
    assert "no PostgreSQL server is running" in err and err.count("\n") == 1
