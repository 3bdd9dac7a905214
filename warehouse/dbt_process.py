"""`tertial-dbt`: how every dbt process of tertial starts (the CLI's builds, Dagster's
DbtCliResource, the tests): dbt's own command line, after three things in its process.

- It enters the home `TERTIAL_DBT_CWD` names, whose relative paths the profile reads, so
  the profile is the same for every home and a new home starts from this machine's saved
  parse (warehouse/saved_parse.py).
- dbt's compiled Jinja is kept for the next dbt process (warehouse/saved_templates.py).
- No log line is made that no logger writes (warehouse/dbt_logging.py).
"""

from __future__ import annotations

import os
import sys

# The folder `tertial-dbt` enters before dbt starts: the home (warehouse/build.py
# `dbt_env`).
CWD_ENV = "TERTIAL_DBT_CWD"


def main() -> None:
    """`tertial-dbt`: dbt, started as the module docstring says."""
    folder = os.environ.get(CWD_ENV)
    if folder:
        os.chdir(folder)
    from warehouse import dbt_logging, saved_templates

    saved_templates.install()  # dbt's compiled Jinja, kept between its processes
    dbt_logging.install()  # no line made for a logger that would drop it
    from dbt.cli.main import cli

    sys.exit(cli())
