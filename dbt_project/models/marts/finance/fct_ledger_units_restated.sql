{#-
    The ledger's units in today's organisation ("a moved function follows its
    responsibility units"): every fct_ledger_units row on the board that carries it today.

    - A unit whose current dim_ansvar version (register or ledger) belongs to another
      board B than the row's carries its whole history to B: the row is copied whole to
      B (restatement_rule 'ansvar', share 1, no rounding).
    - Every other row (a unit that did not move, or a line without Ansvar) is divided by
      the organisation mapping's shares exactly as fct_ledger_restated divides a
      fct_ledger row (int_ledger_restatement_shares; restatement_rule 'mapping'): each
      piece is amount × share rounded to öre half away from zero, the rounding remainder
      goes to the largest share (the lowest code on a tie), so each row's pieces sum to
      its amount and restated totals equal fct_ledger_units' to the öre
      (tests/integration/test_demo_run.py, per year).

    The unit's move wins over the mapping: its board's shares are not applied to it (the
    register says where the unit is today; dividing it again would count the move twice).
    B is where the unit is, not where B's own activity went: if B itself is later mapped,
    the register's current version should name the successor.

    A table, not incremental: a unit's first month on another board changes the home of
    all its history, and a new mapping divides old months, so any row may change on any
    night. It is cheap: fct_ledger_units holds ~40 rows a board-month (at 10 years ~135 000
    rows against fct_ledger_restated's ~600 000), like there a row with one successor is
    copied with no multiplication and no window, and the keys of dim_namnd are computed on
    the board-months and units, not per row. Measured on 142 000 rows (the 2-year demo
    city's fct_ledger_units at 50 lines a board-month, shifted to 20 years): 1,0-2,1 s
    against 0,4-0,9 s for a plain copy of the same rows in the same runs, at load 9-12 on
    this 2-core machine (1,5-2,1 s with md5 per row); so ~2 × a copy, ~0,2-0,3 s on a quiet
    machine where fct_ledger_restated's copy of 585 000 rows takes ~0,3 s.

    Lineage: original_namnd_code (the board as booked) and batch_id (the delivery) of the
    fct_ledger_units row; ansvar_version_key stays the version valid in the period.
-#}
with

units as (

    select * from {{ ref('fct_ledger_units') }}

),

current_boards as (

    select
        ansvar_code,
        namnd_code,
        namnd_key
    from {{ ref('dim_ansvar') }}
    where is_current and ansvar_code != '-1'

),

-- Keys computed on the small tables (a board per unit, a share per board-month), not
-- on every row: md5 over 142 000 rows twice was a third of the table's time.
shares as (

    select
        *,
        {{ dimension_key(['namnd_code']) }} as namnd_key
    from {{ ref('int_ledger_restatement_shares') }}

),

classified as (

    select
        units.*,
        current_boards.namnd_code as current_namnd_code,
        current_boards.namnd_key as current_namnd_key,
        current_boards.namnd_code is not null
        and current_boards.namnd_code != units.namnd_code as is_moved
    from units
    left join current_boards on units.ansvar_code = current_boards.ansvar_code

),

pieces as (

    -- a moved unit: whole, to its board today
    select
        namnd_key as original_namnd_key,
        current_namnd_key as namnd_key,
        namnd_code as original_namnd_code,
        current_namnd_code as namnd_code,
        ansvar_code,
        projekt_code,
        period,
        ansvar_key,
        ansvar_version_key,
        projekt_key,
        period_key,
        amount as booked_amount,
        cast(1 as decimal(38, 20)) as restated_share,
        1 as share_rank,
        1 as successor_count,
        'ansvar' as restatement_rule,
        line_count,
        batch_id,
        recorded_at,
        amount as rounded_amount
    from classified
    where is_moved

    union all

    select
        classified.namnd_key as original_namnd_key,
        shares.namnd_key,
        classified.namnd_code as original_namnd_code,
        shares.namnd_code,
        classified.ansvar_code,
        classified.projekt_code,
        classified.period,
        classified.ansvar_key,
        classified.ansvar_version_key,
        classified.projekt_key,
        classified.period_key,
        classified.amount as booked_amount,
        shares.restated_share,
        shares.share_rank,
        shares.successor_count,
        'mapping' as restatement_rule,
        classified.line_count,
        classified.batch_id,
        classified.recorded_at,
        -- a multiplication in decimal(38, 22) costs; a row copied whole needs none
        case
            when shares.successor_count = 1 then classified.amount
            else cast(round(classified.amount * shares.restated_share, 2) as decimal(18, 2))
        end as rounded_amount
    from classified
    inner join shares
        on
            classified.namnd_code = shares.original_namnd_code
            and classified.period = shares.period
    where not classified.is_moved

),

remainders as (

    {{ rounding_remainders(['original_namnd_code', 'ansvar_code', 'projekt_code', 'period']) }}

)

select
    -- keys
    namnd_key,
    original_namnd_key,
    ansvar_key,
    ansvar_version_key,
    projekt_key,
    period_key,
    namnd_code,
    original_namnd_code,
    ansvar_code,
    projekt_code,
    period,
    restatement_rule,

    -- amounts
    cast(
        rounded_amount + case when share_rank = 1 then rounding_remainder else 0 end
        as decimal(18, 2)
    ) as amount,
    booked_amount,
    cast(restated_share as decimal(38, 20)) as restated_share,
    line_count,

    -- lineage
    batch_id,

    -- times
    recorded_at

from remainders
