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
    rows against fct_ledger_restated's ~600 000, which takes ~0,85 s), and like there a
    row with one successor is copied with no multiplication and no window.

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
        namnd_code
    from {{ ref('dim_ansvar') }}
    where is_current and ansvar_code != '-1'

),

shares as (

    select * from {{ ref('int_ledger_restatement_shares') }}

),

classified as (

    select
        units.*,
        current_boards.namnd_code as current_namnd_code,
        current_boards.namnd_code is not null
        and current_boards.namnd_code != units.namnd_code as is_moved
    from units
    left join current_boards on units.ansvar_code = current_boards.ansvar_code

),

pieces as (

    -- a moved unit: whole, to its board today
    select
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

divided as (

    select
        *,
        booked_amount - sum(rounded_amount) over (
            partition by original_namnd_code, ansvar_code, projekt_code, period
        ) as rounding_remainder
    from pieces
    where successor_count > 1

),

remainders as (

    select
        *,
        cast(0 as decimal(18, 2)) as rounding_remainder
    from pieces
    where successor_count = 1

    union all

    select * from divided

)

select
    -- keys
    {{ dimension_key(['namnd_code']) }} as namnd_key,
    {{ dimension_key(['original_namnd_code']) }} as original_namnd_key,
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
