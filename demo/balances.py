"""The demo city's balance sheets: `balans_<YYYYMM>.csv` at the tertials' month ends.

A file of its own (not in `demo.city` or `demo.exports`): the balances read nothing of the
ledger's generation, so the ledger can change without them and they without it.

Every board's balance sheet balances by construction: the asset and liability accounts are
drawn as shares of the board's yearly gross cost, and eget kapital (2010) is whatever makes
the board's accounts sum to zero, as a finance system's closing does with the period's
result. Delivered in April, August and December (T1, T2, VB): December is the next year's
opening balance, so the second year on shows the change since the year start.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from demo.city import BASE_YEAR, BOARDS, YEARLY_GROWTH, Format, _belopp
from demo.exports import UTF8_BOM_SPACE, _rng, _write

# Stream of the generator (exports' streams are 101-106).
_BALANCES = 107

# Kommun-Bas balance accounts and their typical size as a share of a board's yearly gross
# cost (demo scale): assets positive, liabilities negative. Eget kapital closes the sum.
ACCOUNT_SHARES: dict[str, float] = {
    "1220": 0.060,  # inventarier (anläggningstillgångar)
    "1510": 0.040,  # kundfordringar
    "1640": 0.015,  # momsfordran
    "1710": 0.010,  # förutbetalda kostnader
    "1790": 0.025,  # upplupna intäkter
    "2440": -0.035,  # leverantörsskulder
    "2710": -0.008,  # personalens skatter
    "2990": -0.020,  # upplupna kostnader
}
EQUITY = "2010"
MONTHS = (4, 8, 12)  # the tertials' ends: the boards' reports analyse the balance sheet


def balances(seed: int, year: int, month: int) -> pl.DataFrame:
    """Per board and account the balance in öre at the month's end; each board sums to 0.

    Every account moves ±25 % around its share, so the change since the year start is
    never zero; the same arguments give the same figures.
    """
    rng = _rng(seed, year, month, _BALANCES)
    accounts = list(ACCOUNT_SHARES)
    growth = YEARLY_GROWTH ** (year - BASE_YEAR)
    cost = np.array([b.cost_mkr for b in BOARDS]) * 1e6 * growth
    shares = np.array([ACCOUNT_SHARES[a] for a in accounts])
    kronor = cost[:, None] * shares[None, :] * rng.uniform(0.75, 1.25, (len(BOARDS), len(shares)))
    ore = np.rint(kronor * 100).astype(np.int64)
    equity = -ore.sum(axis=1)
    codes = np.array([b.code for b in BOARDS])
    return pl.DataFrame(
        {
            "board": np.repeat(codes, len(accounts) + 1),
            "konto": np.tile(np.array([*accounts, EQUITY]), len(BOARDS)),
            "ore": np.column_stack([ore, equity]).ravel(),
        }
    ).with_columns(pl.lit(f"{year}{month:02d}").alias("period"))


def render_balances(rows: pl.DataFrame, fmt: Format = UTF8_BOM_SPACE) -> bytes:
    """`balans_<YYYYMM>.csv` (README, "Sources"): Nämnd; Period; Konto; Saldo."""
    return _write(
        rows.select(
            pl.col("board").cast(pl.String).alias("Nämnd"),
            pl.col("period").alias("Period"),
            pl.col("konto").alias("Konto"),
            _belopp(pl.col("ore"), fmt).alias("Saldo"),
        ),
        fmt,
    )
