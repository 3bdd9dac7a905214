"""Every DuckDB database file the warehouse opens is opened here.

One place for what each connection gets: the settings of `duckdb_config()` (the memory
limit, `$TERTIAL_DUCKDB_MEMORY_LIMIT`, default 2GB: DuckDB's own default is 80 % of RAM)
and the extensions a caller needs loaded. The loader (warehouse/store.py), both
publishes (publish.py, published_log.py), the as-of build's `meta` (asof.py), the
analysts' read-only connections (readonly.py, which lock them down after opening) and
the benchmark open their files through `duckdb_connect`; dbt gets the same settings
through its profile (warehouse/build.py `dbt_env`).

The one DuckDB not opened here is the read-only guard's in-memory parser
(readonly.py `_parser`): it holds no data, reads no file and only parses statements.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb

from warehouse.settings import duckdb_config


def duckdb_connect(
    database: str | os.PathLike[str],
    *,
    read_only: bool = False,
    config: Mapping[str, str] | None = None,
    extensions: Sequence[str | os.PathLike[str]] = (),
) -> duckdb.DuckDBPyConnection:
    """`database` opened with the warehouse's settings (`duckdb_config()`, then `config`).

    The settings are SET on the open connection, not given to `duckdb.connect`: DuckDB
    shares one instance per file within a process and refuses a second connection to a
    file open with another `config` ("different configuration"), so a plain
    `duckdb.connect(file, read_only=True)` beside ours (a notebook, a BI driver, a test)
    would fail. The settings are the instance's (memory_limit is global), so they hold
    for every connection to the file in this process.

    `extensions`: loaded before the connection is returned, each a name of an extension
    DuckDB has installed or the path of a `.duckdb_extension` file.

    >>> con = duckdb_connect(":memory:", config={"memory_limit": "1GB"})
    >>> con.execute("select current_setting('memory_limit')").fetchone()[0]
    '953.6 MiB'
    >>> con.close()
    """
    con = duckdb.connect(str(database), read_only=read_only)
    try:
        for name, value in {**duckdb_config(), **(config or {})}.items():
            # SET takes no bind parameter: names and values are our own settings.
            literal = str(value).replace("'", "''")
            con.execute(f"set {name} = '{literal}'")
        for extension in extensions:
            if isinstance(extension, Path) or os.sep in str(extension):
                # LOAD takes no bind parameter: the path is our own, quoted as a literal.
                literal = str(extension).replace("'", "''")
                con.execute(f"load '{literal}'")
            else:
                con.execute(f'load "{extension}"')
    except BaseException:
        con.close()
        raise
    return con
