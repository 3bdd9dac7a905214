"""The local PostgreSQL server of `make serve`: started by our code, reachable as documented."""

from __future__ import annotations

import shutil
import socket
import tempfile
from pathlib import Path

import psycopg
import pytest

from warehouse.postgres.server import DATABASE, LOADER, LocalServer

pytestmark = pytest.mark.integration


def test_the_loader_gets_in_through_the_socket_and_nobody_without_a_password_over_tcp(
    pg_server: LocalServer,
) -> None:
    with psycopg.connect(pg_server.loader_dsn()) as con:
        user, database, superuser = con.execute(
            "select current_user, current_database(), rolsuper from pg_roles "
            "where rolname = current_user"
        ).fetchone()
        [(method,)] = con.execute(
            "select distinct auth_method from pg_hba_file_rules where type = 'host'"
        ).fetchall()
    assert (user, database, superuser, method) == (LOADER, DATABASE, True, "scram-sha-256")
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(f"host=127.0.0.1 port={pg_server.port} user={LOADER} dbname={DATABASE}")


def test_a_stopped_server_starts_again_with_its_data() -> None:
    folder = Path(tempfile.mkdtemp(prefix="tertial-pg-"))
    folder.chmod(0o711)
    server = LocalServer(folder=folder / "postgres", port=_free_port())
    try:
        server.start()
        with psycopg.connect(server.loader_dsn()) as con:
            con.execute("create table kept (n int); insert into kept values (7)")
        server.start()  # running already: nothing happens
        server.stop()
        assert not server.running()
        server.start()
        with psycopg.connect(server.loader_dsn()) as con:
            assert con.execute("select n from kept").fetchall() == [(7,)]
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
