"""Who reads what in the PostgreSQL copy of the marts: roles, board logins, row-level security.

Two group roles (NOLOGIN), and every login is a member of one of them:
- `tertial_read`: reads every row of every published table (analysts, the city's BI).
- `tertial_board`: a board login; reads the rows of its own boards only. Which boards is
  data, not DDL: the table `tertial_access.board_grant` (login -> namnd_code), which only
  the loader reads and writes.

Why a grant table and not one role per board (`tertial_namnd_142`): with roles the
policy either calls `pg_has_role('tertial_namnd_' || namnd_code, ...)` on every row
(10 M calls on the 10-year ledger) or needs one policy per board per table (28 boards x
17 tables = 476 policies, recreated on every refresh and at every grant). With a table,
every board-scoped table has ONE policy,

    namnd_code = any ((select tertial_access.my_boards())::text[])

whose scalar subquery PostgreSQL plans as an InitPlan: `my_boards()` runs once per
query, the filter is then a plain `= ANY($0)` per row (EXPLAIN shows `InitPlan 1` and
`Filter: (namnd_code = ANY ($0))`). A grant or revoke is an INSERT/DELETE that takes
effect at the login's next query, needs no change to the marts, and a refresh
(`secure_schema`) need not know any login. `my_boards()` is SECURITY DEFINER (a reader
cannot read the grant table itself) and looks up `session_user`: inside the function
`current_user` is its owner, and a login cannot change its `session_user` (SET ROLE
changes only `current_user`). A superuser testing with `SET ROLE sn_analys` therefore sees
no rows: connect as the login instead.

What each published table is readable by (`secure_schema`, by table name, so the same
rules hold whatever schema the refresh loads into before the swap):

| table                                        | tertial_read | board login       |
|----------------------------------------------|--------------|-------------------|
| every table with `namnd_code`: fct_*, rpt_*, | all rows     | its boards' rows  |
| dim_namnd, dim_verksamhet, meta_freshness    |              | (RLS)             |
| dim_konto, dim_period, dim_indicator         | all rows     | all rows          |
| meta.publication                             | all rows     | all rows          |
| meta.batches                                 | all rows     | nothing           |
| any other table without `namnd_code`         | all rows     | nothing           |

Why: the board column is the access key; a null `namnd_code` (meta_freshness of the
city-wide sources) is no board's row. The chart of accounts, the calendar and the
indicator list are the same for every board and name none. meta.publication says when
the figures were published (a dashboard's "data as of") and names no file. meta.batches
lists every delivered file of every board with its rejection reason. A table the rules
do not know (a new mart, one with only `namnd_key`) fails closed until it gets a rule.

Nobody but the loader (the superuser that owns the tables) writes: readers get SELECT
and nothing else; PUBLIC loses every privilege on the tables, on the schemas (CREATE on
`public` too), and TEMPORARY on the database, so a reader cannot create even a temporary
table: a reader writes nothing, not even session scratch. A BI tool that would use
temporary tables (Tableau does for large filter lists) has to do without; should one need
them, `GRANT TEMPORARY ON DATABASE tertial TO tertial_board, tertial_read` is the lever.
Server-side large objects (`lo_create`, `lo_from_bytea`, ...) lose PUBLIC's EXECUTE too:
they are writes into `pg_largeobject` any role may do by default. Reading or writing
server files (`pg_read_file`, `COPY ... TO/FROM 'file'`) needs superuser or the
`pg_*_server_files` roles, which no reader has.

Passwords are generated (`secrets.token_urlsafe(24)`: 32 characters, 192 bits), returned
once to be printed, and stored as a SCRAM-SHA-256 verifier computed on the client
(`PGconn.encrypt_password`), so the plain password is never in any SQL text, log or
`pg_stat_activity`.

Every function here takes the loader's connection (the superuser, `LocalServer.
loader_dsn()`) and works inside `conn.transaction()`: in the caller's transaction when
one is open (the refresh's, before its swap), else its own, committed at the end.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import sql

READ_ROLE = "tertial_read"
BOARD_ROLE = "tertial_board"
ACCESS_SCHEMA = "tertial_access"
GROUP_ROLES = (READ_ROLE, BOARD_ROLE)

# Table rules beside the board column (see the docstring's table).
READABLE_BY_ALL = frozenset({"dim_konto", "dim_period", "dim_indicator", "publication"})
BOARD_COLUMN = "namnd_code"

# A login is an unquoted PostgreSQL identifier in lowercase (what a BI tool's user field
# takes without quoting); 63 bytes is PostgreSQL's NAMEDATALEN - 1.
LOGIN_PATTERN = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# The organisation register's `Kod` (sources/organisation/contract.py, kind "code") is
# digits: 3 for boards (101-142), 4 for departments (1011-1028). Up to 10 leaves room.
CODE_PATTERN = re.compile(r"[0-9]{1,10}")
# Roles a login may not be named: PostgreSQL's own, ours, and the loader.
RESERVED_PREFIXES = ("pg_", "tertial_")

POLICY_ALL = "tertial_read_all_rows"
POLICY_BOARD = "tertial_board_rows"

# Serialises ensure_roles/grants of concurrent sessions (two CREATE ROLE of the same
# name: one fails with a unique violation instead of waiting). Any constant will do.
ADVISORY_LOCK = 15_1501


class AccessError(ValueError):
    """A grant or revoke that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Login:
    """A login managed here: its boards (`all_boards`: every row), and when it was created."""

    login: str
    all_boards: bool
    boards: tuple[str, ...]
    created: datetime | None

    @property
    def boards_text(self) -> str:
        return "all" if self.all_boards else ", ".join(self.boards) or "none"


# -- roles and the helper objects ---------------------------------------------------------


def ensure_roles(conn: psycopg.Connection) -> None:
    """Create the group roles, the grant table and `my_boards()`; lock the database down.

    Idempotent; cheap (a few catalogue statements), so `secure_schema` calls it too.
    Roles are cluster-wide, the grant table and privileges belong to the current database.
    """
    database = sql.Identifier(conn.info.dbname)
    names = {
        "access": sql.Identifier(ACCESS_SCHEMA),
        "read": sql.Identifier(READ_ROLE),
        "board": sql.Identifier(BOARD_ROLE),
    }
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        for role in GROUP_ROLES:
            if not _role_exists(conn, role):
                conn.execute(
                    sql.SQL(
                        "create role {} nologin noinherit nosuperuser nocreatedb "
                        "nocreaterole noreplication nobypassrls"
                    ).format(sql.Identifier(role))
                )
        conn.execute(
            sql.SQL(
                "revoke all on database {db} from public;"
                "grant connect on database {db} to {read}, {board};"
                "revoke create on schema public from public;"
                "create schema if not exists {access};"
                "revoke all on schema {access} from public;"
                "grant usage on schema {access} to {read}, {board};"
                "create table if not exists {access}.login ("
                "  login name primary key,"
                "  created_at timestamptz not null default now(),"
                "  created_by name not null default session_user);"
                "create table if not exists {access}.board_grant ("
                "  login name not null references {access}.login on delete cascade,"
                "  namnd_code text not null,"
                "  granted_at timestamptz not null default now(),"
                "  granted_by name not null default session_user,"
                "  primary key (login, namnd_code));"
                "revoke all on all tables in schema {access} from public, {read}, {board};"
            ).format(db=database, **names)
        )
        # search_path pinned: a SECURITY DEFINER function must not resolve names through
        # a schema the caller controls (none can create one here, but that is one fence).
        conn.execute(
            sql.SQL(
                "create or replace function {access}.my_boards() returns text[]"
                " language sql stable parallel safe security definer"
                " set search_path = pg_catalog, pg_temp as $$"
                "  select coalesce(array_agg(namnd_code order by namnd_code), '{{}}')"
                "  from {access}.board_grant where login = session_user $$;"
                "revoke all on function {access}.my_boards() from public;"
                "grant execute on function {access}.my_boards() to {read}, {board};"
            ).format(**names)
        )
        # Temporary tables and server-side large objects: the writes PUBLIC may do by
        # default in any database (see the module docstring).
        conn.execute(
            sql.SQL(
                "revoke temporary on database {db} from public;"
                "revoke execute on function pg_catalog.lo_create(oid),"
                " pg_catalog.lo_creat(integer), pg_catalog.lo_from_bytea(oid, bytea),"
                " pg_catalog.lo_put(oid, bigint, bytea), pg_catalog.lo_unlink(oid),"
                " pg_catalog.lowrite(integer, bytea) from public"
            ).format(db=database)
        )


def secure_schema(conn: psycopg.Connection, schema: str) -> None:
    """Privileges and row-level security on every table of `schema` (see the docstring's table).

    Called by the refresh on the freshly loaded schema before it is renamed to `marts`
    (grants, RLS and policies move with the tables), and on the meta schema. Idempotent:
    privileges are reset to exactly these and the two policies re-created. Calls
    `ensure_roles` first.
    """
    ensure_roles(conn)
    with conn.transaction():
        if _schema_oid(conn, schema) is None:
            raise AccessError(f"no schema {schema!r} in database {conn.info.dbname!r}")
        ident = sql.Identifier(schema)
        readers = sql.SQL("{}, {}").format(sql.Identifier(READ_ROLE), sql.Identifier(BOARD_ROLE))
        conn.execute(
            sql.SQL(
                "revoke all on schema {s} from public; grant usage on schema {s} to {r}"
            ).format(s=ident, r=readers)
        )
        for table, kind, columns, others in _relations(conn, schema):
            target = sql.SQL("{}.{}").format(ident, sql.Identifier(table))
            if kind == "m" and BOARD_COLUMN in columns:
                raise AccessError(
                    f"{schema}.{table} is a materialized view with a board column: row-level "
                    "security cannot apply to one; load it as a table"
                )
            # Every grantee but the owner loses everything, then gets exactly ours.
            for grantee in ("public", *others):
                conn.execute(
                    sql.SQL("revoke all on table {} from {}").format(
                        target,
                        sql.SQL("public") if grantee == "public" else sql.Identifier(grantee),
                    )
                )
            board_scoped = BOARD_COLUMN in columns
            board_reads = board_scoped or table in READABLE_BY_ALL
            conn.execute(
                sql.SQL("grant select on table {} to {}").format(
                    target, readers if board_reads else sql.Identifier(READ_ROLE)
                )
            )
            if kind == "v":
                # A view runs with its owner's rights (the superuser: no RLS) unless
                # security_invoker: the tables under it then filter for the reader.
                conn.execute(sql.SQL("alter view {} set (security_invoker = true)").format(target))
            elif kind in ("r", "p") and board_scoped:
                _board_policies(conn, target)


def _board_policies(conn: psycopg.Connection, target: sql.Composable) -> None:
    # Two permissive policies, OR-ed for a role in both. `to tertial_read using (true)`
    # is chosen at plan time by membership: no per-row cost for tertial_read.
    conn.execute(
        sql.SQL(
            "alter table {t} enable row level security;"
            "drop policy if exists {all} on {t};"
            "drop policy if exists {board} on {t};"
            "create policy {all} on {t} for select to {read} using (true);"
            "create policy {board} on {t} for select to {board_role}"
            " using ({column} = any ((select {access}.my_boards())::text[]))"
        ).format(
            t=target,
            all=sql.Identifier(POLICY_ALL),
            board=sql.Identifier(POLICY_BOARD),
            read=sql.Identifier(READ_ROLE),
            board_role=sql.Identifier(BOARD_ROLE),
            column=sql.Identifier(BOARD_COLUMN),
            access=sql.Identifier(ACCESS_SCHEMA),
        )
    )


# -- logins -------------------------------------------------------------------------------


def grant_board(conn: psycopg.Connection, login: str, namnd_codes: Iterable[str]) -> str | None:
    """Let `login` read the rows of these boards; create the login if new.

    Returns the generated password of a new login (print it once: it is stored only as a
    SCRAM verifier), None when the login existed (its boards are added to).
    """
    codes = sorted(set(namnd_codes))
    if not codes:
        raise AccessError("name at least one board (--namnd CODE)")
    ensure_roles(conn)
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        _check_codes(conn, codes)
        password = _ensure_login(conn, login)
        conn.execute(
            sql.SQL("grant {} to {}").format(sql.Identifier(BOARD_ROLE), sql.Identifier(login))
        )
        with conn.cursor() as cur:
            cur.executemany(
                sql.SQL(
                    "insert into {}.board_grant (login, namnd_code) values (%s, %s) "
                    "on conflict do nothing"
                ).format(sql.Identifier(ACCESS_SCHEMA)),
                [(login, code) for code in codes],
            )
    return password


def grant_read(conn: psycopg.Connection, login: str) -> str | None:
    """Let `login` read everything (a member of tertial_read); create it if new.

    Returns the password of a new login, None for an existing one.
    """
    ensure_roles(conn)
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        password = _ensure_login(conn, login)
        conn.execute(
            sql.SQL("grant {} to {}").format(sql.Identifier(READ_ROLE), sql.Identifier(login))
        )
    return password


def revoke(conn: psycopg.Connection, login: str, namnd_code: str | None = None) -> None:
    """Take one board from `login`, or (no board) the login itself: its sessions end and
    the role is dropped."""
    _check_login_name(login)
    ensure_roles(conn)
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        if not _is_managed(conn, login):
            raise AccessError(f"no tertial login {login!r} (see `tertial access list`)")
        if namnd_code is not None:
            gone = conn.execute(
                sql.SQL("delete from {}.board_grant where login = %s and namnd_code = %s").format(
                    sql.Identifier(ACCESS_SCHEMA)
                ),
                [login, namnd_code],
            ).rowcount
            if not gone:
                raise AccessError(f"login {login!r} has no grant for board {namnd_code!r}")
            return
        conn.execute(
            sql.SQL("delete from {}.login where login = %s").format(sql.Identifier(ACCESS_SCHEMA)),
            [login],
        )
        # An open session of a dropped role would go on reading with a dangling id.
        conn.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity "
            "where usename = %s and pid <> pg_backend_pid()",
            [login],
        )
        # Its memberships and any privilege granted to it directly (none of ours) go too.
        conn.execute(sql.SQL("drop owned by {}").format(sql.Identifier(login)))
        conn.execute(sql.SQL("drop role {}").format(sql.Identifier(login)))


def list_logins(conn: psycopg.Connection) -> list[Login]:
    """Every login in tertial_read or tertial_board: its boards (or all), when created."""
    ensure_roles(conn)
    rows = conn.execute(
        sql.SQL(
            "select r.rolname, pg_has_role(r.oid, {read}, 'member'),"
            " coalesce((select array_agg(g.namnd_code order by g.namnd_code)"
            "           from {access}.board_grant g where g.login = r.rolname), '{{}}'),"
            " l.created_at"
            " from pg_roles r left join {access}.login l on l.login = r.rolname"
            " where r.rolcanlogin and not r.rolsuper"
            "   and (pg_has_role(r.oid, {read}, 'member')"
            "        or pg_has_role(r.oid, {board}, 'member'))"
            " order by r.rolname"
        ).format(
            access=sql.Identifier(ACCESS_SCHEMA),
            read=sql.Literal(READ_ROLE),
            board=sql.Literal(BOARD_ROLE),
        )
    ).fetchall()
    return [Login(name, bool(all_), tuple(boards), created) for name, all_, boards, created in rows]


# -- the steps ----------------------------------------------------------------------------


def _ensure_login(conn: psycopg.Connection, login: str) -> str | None:
    """Create `login` with a fresh password (returned), or None if it is ours already."""
    _check_login_name(login)
    if _role_exists(conn, login):
        if not _is_managed(conn, login):
            raise AccessError(
                f"a role {login!r} exists already and is not a tertial login: choose another name"
            )
        return None
    password = secrets.token_urlsafe(24)
    verifier = conn.pgconn.encrypt_password(
        password.encode(), login.encode(), b"scram-sha-256"
    ).decode()
    conn.execute(
        sql.SQL(
            "create role {} login inherit nosuperuser nocreatedb nocreaterole "
            "noreplication nobypassrls password {}"
        ).format(sql.Identifier(login), sql.Literal(verifier))
    )
    conn.execute(
        sql.SQL("insert into {}.login (login) values (%s)").format(sql.Identifier(ACCESS_SCHEMA)),
        [login],
    )
    return password


def _check_login_name(login: str) -> None:
    if not LOGIN_PATTERN.fullmatch(login):
        raise AccessError(
            f"login {login!r}: use a lowercase name of letters a-z, digits and _, starting "
            "with a letter or _, at most 63 characters (e.g. sn_analys)"
        )
    if login.startswith(RESERVED_PREFIXES) or login in ("public", "postgres"):
        raise AccessError(
            f"login {login!r}: names starting with {' or '.join(RESERVED_PREFIXES)} "
            "and 'public'/'postgres' are reserved"
        )


def _check_codes(conn: psycopg.Connection, codes: list[str]) -> None:
    bad = [c for c in codes if not CODE_PATTERN.fullmatch(c)]
    if bad:
        raise AccessError(
            f"board code {bad[0]!r}: a board code is the organisation register's Kod, "
            "digits (e.g. 142)"
        )
    # Once the marts are loaded, a code must be a board they know; before the first
    # load the pattern is all there is to check.
    if conn.execute("select to_regclass('marts.dim_namnd')").fetchone()[0] is None:
        return
    known = {
        code
        for (code,) in conn.execute(
            "select distinct namnd_code from marts.dim_namnd where namnd_code = any(%s)",
            [codes],
        )
    }
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise AccessError(
            f"board {unknown[0]} is not in marts.dim_namnd: check the code (tertial query "
            '"select namnd_code, namnd_name from marts.dim_namnd")'
        )


def _role_exists(conn: psycopg.Connection, role: str) -> bool:
    return conn.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone() is not None


def _is_managed(conn: psycopg.Connection, login: str) -> bool:
    """A login of ours: in the login table, or a member of one of our group roles."""
    row = conn.execute(
        sql.SQL(
            "select exists (select 1 from {}.login where login = %s)"
            " or exists (select 1 from pg_auth_members m"
            "            join pg_roles g on g.oid = m.roleid"
            "            join pg_roles u on u.oid = m.member"
            "            where u.rolname = %s and g.rolname = any(%s))"
        ).format(sql.Identifier(ACCESS_SCHEMA)),
        [login, login, list(GROUP_ROLES)],
    ).fetchone()
    return bool(row[0])


def _schema_oid(conn: psycopg.Connection, schema: str) -> int | None:
    row = conn.execute("select oid from pg_namespace where nspname = %s", [schema]).fetchone()
    return row[0] if row else None


def _relations(conn: psycopg.Connection, schema: str) -> list[tuple[str, str, set[str], list[str]]]:
    """(name, relkind, column names, grantees other than the owner) of every table, view,
    materialized view and foreign table in `schema`."""
    rows = conn.execute(
        "select c.relname, c.relkind,"
        " array(select a.attname::text from pg_attribute a"
        "       where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped),"
        " array(select distinct r.rolname::text"
        "       from aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) x"
        "       join pg_roles r on r.oid = x.grantee"
        "       where x.grantee <> c.relowner)"
        " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relkind in ('r', 'p', 'v', 'm', 'f')"
        " order by c.relname",
        [schema],
    ).fetchall()
    return [(name, kind, set(columns), list(others)) for name, kind, columns, others in rows]
