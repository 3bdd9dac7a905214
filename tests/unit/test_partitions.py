"""Which month's partition a delivered file belongs to (no I/O)."""

import pytest

from orchestration.partitions import is_monthly, partition_of
from sources.registry import BY_NAME

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("huvudbok_201108.csv", "2011-08-01"),
        ("huvudbok_201106_leverans1.csv", "2011-06-01"),
        ("lon_202412.csv", "2024-12-01"),
        ("sjukfranvaro_201001.csv", "2010-01-01"),
        ("balans_201108.csv", "2011-08-01"),
        ("huvudbok_201113.csv", None),  # month 13: no month at all
        ("huvudbok_export.csv", None),
        ("budget_2011_1.csv", None),
    ],
)
def test_partition_of(name: str, key: str | None) -> None:
    assert partition_of(name) == key


def test_monthly_sources_are_those_keyed_by_period() -> None:
    monthly = {name for name, source in BY_NAME.items() if is_monthly(source)}
    assert monthly == {"huvudbok", "lon", "sjukfranvaro", "balans"}
