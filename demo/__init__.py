"""The demo city: deterministic exports of every source, for `tertial demo`, the tests and
the benchmark.

- `demo.city`: the boards, their registers and their monthly ledgers;
- `demo.exports`: every other source, derived from the same city;
- `demo.landing`: `write_demo_city`, all of it written into a landing zone.

The package depends on `sources/` (the ledger's contract) only: never on the warehouse,
the CLI or Dagster.
"""

from demo import exports
from demo.city import (
    BOARDS,
    FAKE_PERSONNUMMER,
    MIN_ROWS_PER_BOARD_MONTH,
    PLAIN,
    CityTables,
    Format,
    city_tables,
    format_of,
    month_ledger,
    render_ledger,
)
from demo.landing import DemoCity, write_demo_city

__all__ = [
    "BOARDS",
    "FAKE_PERSONNUMMER",
    "MIN_ROWS_PER_BOARD_MONTH",
    "PLAIN",
    "CityTables",
    "DemoCity",
    "Format",
    "city_tables",
    "exports",
    "format_of",
    "month_ledger",
    "render_ledger",
    "write_demo_city",
]
