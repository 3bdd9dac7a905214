"""The local PostgreSQL server BI tools connect to: a cluster under `$TERTIAL_HOME/postgres`.

`make serve` (`tertial serve start`) runs Debian's PostgreSQL 15 (`apt-get install
postgresql`: `make postgresql`) from `/usr/lib/postgresql/15/bin` (`$TERTIAL_PG_BIN`),
on 127.0.0.1 (`$TERTIAL_PG_LISTEN`, PostgreSQL's `listen_addresses`) and port 5433
(`$TERTIAL_PG_PORT`; 5432 is left to a server the machine may run already).

Who gets in, and how:
- Over TCP every login gives its password, checked as SCRAM-SHA-256 (`pg_hba.conf`
  from initdb's `--auth-host`): the readers and board logins of warehouse/postgres/access.py.
- The loader is the cluster's superuser `tertial_loader`, with no password, only through
  the Unix socket in `postgres/run/`. That folder is 0700 and belongs to the server's
  user, so only that user (and root) can reach the socket: trust there is as safe as the
  files of the cluster themselves.
- PostgreSQL refuses to run as root. Run as root (CI, a container), the server runs as
  Debian's `postgres` user (`runuser`), which owns the cluster folder and must be able to
  reach it: every parent of `$TERTIAL_HOME/postgres` needs o+x (the repository's `var/`
  has it; a 0700 temporary folder has not).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from warehouse.settings import Paths

PG_BIN_ENV = "TERTIAL_PG_BIN"
PORT_ENV = "TERTIAL_PG_PORT"
LISTEN_ENV = "TERTIAL_PG_LISTEN"
DEFAULT_BIN = Path("/usr/lib/postgresql/15/bin")
DEFAULT_PORT = 5433
DEFAULT_LISTEN = "127.0.0.1"
DATABASE = "tertial"
LOADER = "tertial_loader"
# The OS user the server runs as when we are root (Debian's package creates it).
SERVER_USER_WHEN_ROOT = "postgres"


class ServerError(RuntimeError):
    """The local server cannot be set up or started; the message says what to do."""


@dataclass(frozen=True)
class LocalServer:
    """One cluster folder: `data/` (initdb's), `run/` (the socket), `server.log`."""

    folder: Path
    port: int = DEFAULT_PORT
    listen: str = DEFAULT_LISTEN
    bin_dir: Path = DEFAULT_BIN

    @classmethod
    def of(cls, home: Paths) -> LocalServer:
        """The server of `home`, with the port, address and binaries the environment sets."""
        port = os.environ.get(PORT_ENV, str(DEFAULT_PORT))
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ServerError(f"{PORT_ENV}={port!r} is no TCP port (1-65535)")
        return cls(
            folder=home.home / "postgres",
            port=int(port),
            listen=os.environ.get(LISTEN_ENV, DEFAULT_LISTEN),
            bin_dir=Path(os.environ.get(PG_BIN_ENV, DEFAULT_BIN)),
        )

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def socket_dir(self) -> Path:
        return self.folder / "run"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def loader_dsn(self, database: str = DATABASE) -> str:
        """libpq connection string of the loader: the superuser, through the socket."""
        return f"host={self.socket_dir} port={self.port} user={LOADER} dbname={database}"

    def reader_dsn(self, user: str, password: str, database: str = DATABASE) -> str:
        """libpq connection string of a login over TCP, as a BI tool connects."""
        host = "127.0.0.1" if self.listen in ("*", "0.0.0.0", "") else self.listen.split(",")[0]
        return f"host={host} port={self.port} user={user} password={password} dbname={database}"

    def running(self) -> bool:
        """Whether this cluster's postmaster is up (`pg_ctl status`)."""
        if not (self.data / "PG_VERSION").exists():
            return False
        done = self._pg("pg_ctl", "status", "-D", str(self.data), check=False)
        return done.returncode == 0

    def start(self) -> None:
        """Create the cluster and the database `tertial` when missing, and start the server.

        Idempotent: a running server is left as it is.
        """
        self._check_binaries()
        if not (self.data / "PG_VERSION").exists():
            self._init()
        if not self.running():
            self.socket_dir.mkdir(mode=0o700, exist_ok=True)
            self._own(self.socket_dir)
            options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses='{self.listen}'"
            done = self._pg(
                "pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.log),
                "-o", options, check=False,
            )  # fmt: skip
            if done.returncode != 0:
                raise ServerError(
                    f"PostgreSQL did not start (pg_ctl exit {done.returncode}): "
                    f"{self._tail_of_log()}"
                )
        self._create_database()

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are ended); nothing if not running."""
        if self.running():
            self._pg("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data))

    # -- the steps -------------------------------------------------------------------

    def _check_binaries(self) -> None:
        if not (self.bin_dir / "initdb").exists():
            raise ServerError(
                f"PostgreSQL 15 is not installed ({self.bin_dir}/initdb missing): run "
                "`make postgresql` as root (Debian's package `postgresql`), or set "
                f"{PG_BIN_ENV} to the folder of initdb and pg_ctl"
            )
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(SERVER_USER_WHEN_ROOT)
            except KeyError:
                raise ServerError(
                    "PostgreSQL cannot run as root and there is no `postgres` user to run "
                    "it as: install Debian's package `postgresql` (`make postgresql`)"
                ) from None

    def _init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o700)
        self._own(self.folder)
        if os.geteuid() == 0:
            reach = self._pg("test", "-w", str(self.folder), check=False, tool=False)
            if reach.returncode != 0:
                raise ServerError(
                    f"the `postgres` user cannot reach {self.folder}: give its parent "
                    "folders o+x, or set TERTIAL_HOME to a folder it can reach"
                )
        shutil.rmtree(self.data, ignore_errors=True)
        self._pg(
            "initdb", "-D", str(self.data), "-U", LOADER, "--auth-local=trust",
            "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8",
        )  # fmt: skip

    def _create_database(self) -> None:
        exists = self._pg(
            "psql", "-d", self.loader_dsn("postgres"), "-tAc",
            f"select 1 from pg_database where datname = '{DATABASE}'",
        )  # fmt: skip
        if exists.stdout.strip() != "1":
            self._pg("createdb", "-h", str(self.socket_dir), "-p", str(self.port), "-U", LOADER,
                     DATABASE)  # fmt: skip

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            user = pwd.getpwnam(SERVER_USER_WHEN_ROOT)
            os.chown(path, user.pw_uid, user.pw_gid)

    def _pg(
        self, program: str, *args: str, check: bool = True, tool: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL program (as `postgres` when we are root)."""
        command = [str(self.bin_dir / program) if tool else program, *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER_WHEN_ROOT, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if check and done.returncode != 0:
            raise ServerError(
                f"{program} failed (exit {done.returncode}): "
                f"{(done.stderr or done.stdout).strip()[-600:]}"
            )
        return done

    def _tail_of_log(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace").strip()[-600:]
        except OSError:
            return f"no log at {self.log}"
