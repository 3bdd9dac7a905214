{#-
    Per booked (nämnd, period) of the ledger: the codes of today's organisation that carry
    it, with the share each carries (their shares sum to exactly 1). fct_ledger_restated
    divides each ledger row by them.

    A row booked on code C in period P is expressed in the organisation of P's first
    day. A mapping line (C -> T, share, Giltig från D) moves what C was to T from D on,
    so the row follows the first reorganisation of C after that day: the earliest D of C
    with D > the row's organisation date. It then stands on T as of D, and T's own
    later reorganisations apply in turn (a chain: 1012 -> 1022 on 2007-01-01, 1022 ->
    1020 + 1027 on 2019-01-01). The date only grows along a chain, so a chain ends, and a
    code may map to itself (131 -> 131 0,9 + 133 0,1: what stays is not moved again by
    the same date). A row booked on or after D is in the new organisation already and
    is left alone. A code nothing maps stays itself with share 1.

    Shares multiply along a chain: exact in decimal(38, 20) for up to five steps of four
    decimals (the mapping's Andel); a longer chain rounds its share at the 20th
    decimal. Sums stay exact anyway: fct_ledger_restated gives each row's rounding
    remainder to one successor. Two paths to one code (1012 -> 1022 and 1023, both ->
    1027) add up to one share. Small: one row per board, month and successor (the demo
    city: ~1 000 board-months), so the recursion is cheap and a table.
-#}
{{ config(materialized='table') }}

with recursive

mapping as (

    select
        from_namnd_code,
        to_namnd_code,
        valid_from,
        mapped_share
    from {{ ref('int_organisation_mapping_current') }}

),

-- Per code, each date of its reorganisations takes the rows whose organisation date
-- lies on or after the code's date before it and before its own.
reorganisations as (

    select
        from_namnd_code,
        valid_from,
        lag(valid_from) over (
            partition by from_namnd_code order by valid_from
        ) as previous_valid_from
    from (
        select distinct
            from_namnd_code,
            valid_from
        from mapping
    ) as dates

),

steps as (

    select
        mapping.from_namnd_code,
        mapping.to_namnd_code,
        mapping.mapped_share,
        reorganisations.previous_valid_from,
        mapping.valid_from
    from mapping
    inner join reorganisations
        on
            mapping.from_namnd_code = reorganisations.from_namnd_code
            and mapping.valid_from = reorganisations.valid_from

),

booked as (

    select distinct
        namnd_code,
        period
    from {{ ref('int_ledger_summed') }}

),

chains (
    original_namnd_code, period, namnd_code, restated_share, organisation_date, step_count
) as (

    select
        namnd_code as original_namnd_code,
        period,
        namnd_code,
        cast(1 as decimal(38, 20)),
        make_date(cast(period // 100 as bigint), cast(period % 100 as bigint), 1),
        0
    from booked

    union all

    select
        chains.original_namnd_code,
        chains.period,
        steps.to_namnd_code,
        cast(chains.restated_share * steps.mapped_share as decimal(38, 20)),
        steps.valid_from,
        chains.step_count + 1
    from chains
    inner join steps
        on
            chains.namnd_code = steps.from_namnd_code
            and chains.organisation_date < steps.valid_from
            and (
                steps.previous_valid_from is null
                or chains.organisation_date >= steps.previous_valid_from
            )

),

-- The ends of the chains: codes no later reorganisation moves.
ends as (

    select chains.*
    from chains
    where not exists (
        select 1
        from steps
        where
            steps.from_namnd_code = chains.namnd_code
            and chains.organisation_date < steps.valid_from
            and (
                steps.previous_valid_from is null
                or chains.organisation_date >= steps.previous_valid_from
            )
    )

),

successors as (

    select
        original_namnd_code,
        period,
        namnd_code,
        cast(sum(restated_share) as decimal(38, 20)) as restated_share,
        max(step_count) as step_count
    from ends
    group by original_namnd_code, period, namnd_code

)

-- share_rank 1: the largest share (the lowest code on a tie), which takes a divided
-- row's rounding remainder in fct_ledger_restated; successor_count 1: a row copied whole.
select
    original_namnd_code,
    period,
    namnd_code,
    restated_share,
    step_count,
    row_number() over (
        partition by original_namnd_code, period
        order by restated_share desc, namnd_code asc
    ) as share_rank,
    count(*) over (partition by original_namnd_code, period) as successor_count
from successors
