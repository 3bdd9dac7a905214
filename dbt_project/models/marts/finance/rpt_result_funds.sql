{#-
    The boards' result funds per year, as the reports' "Uppföljning av driftbudget"
    prints them below the net result: the opening fund (Ingående resultatfond), what the
    board decided to use in the year (disposition), what it decided to carry to the
    next year (överföring) and the fund left at the end of the year.

    - closing_fund = opening_fund - used_amount: the fund the year does not use, the
      report's "Utgående resultatfond" (printed −5,6 for Servicenämnden 2011: 7,6 - 2,0,
      as a transfer out of the year's result).
    - transferred_amount is what is decided so far; closing_fund - transferred_amount
      is still undecided (0 once the whole remaining fund is carried over).
    - Every decision carries the opening fund it draws on; a board and year takes the
      one of its newest decision (latest Beslutsdatum, then the newest delivery), so a
      corrected opening fund arrives with the next decision or a re-delivered one.
    - Only current decisions count (int_result_fund_decisions_current): a retracted
      batch, or one after an as-of moment, takes its decisions out.
-#}
with

decisions as (

    select * from {{ ref('int_result_fund_decisions_current') }}

),

-- The opening fund of a board and year: the one its newest decision states.
newest as (

    select
        namnd_code,
        year,
        opening_fund
    from decisions
    qualify row_number() over (
        partition by namnd_code, year
        order by decision_date desc, recorded_at desc, batch_id desc, line_number desc
    ) = 1

),

summed as (

    select
        namnd_code,
        year,
        sum(case when decision_kind = 'disposition' then amount else 0 end) as used_amount,
        sum(case when decision_kind = 'överföring' then amount else 0 end)
            as transferred_amount,
        count(*) as decision_count,
        max(decision_date) as last_decision_date,
        max(recorded_at) as recorded_at
    from decisions
    group by namnd_code, year

)

select
    -- keys
    {{ dimension_key(['summed.namnd_code']) }} as namnd_key,
    summed.namnd_code,
    cast(summed.year as integer) as year,

    -- amounts
    cast(newest.opening_fund as decimal(18, 2)) as opening_fund,
    cast(summed.used_amount as decimal(18, 2)) as used_amount,
    cast(summed.transferred_amount as decimal(18, 2)) as transferred_amount,
    cast(newest.opening_fund - summed.used_amount as decimal(18, 2)) as closing_fund,

    -- attributes
    cast(summed.decision_count as integer) as decision_count,

    -- times
    summed.last_decision_date,
    summed.recorded_at

from summed
inner join newest
    on
        summed.namnd_code = newest.namnd_code
        and summed.year = newest.year
