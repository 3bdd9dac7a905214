{#-
    Staden totalt: the city's costs and revenues per month, summed over every board's
    follow-up (Kommun-Bas classification, macros/kommunbas.sql: Kostnader = classes 4-7
    and group 85, Intäkter = class 3 and group 84), before and after eliminating internal
    trade (rpt_internal_trade). A sale from one board to another is a revenue of the one
    and a cost of the other: summed over boards both are counted, though no krona left
    the city; the consolidated totals take them out.

    - costs_after_elimination = booked_costs − internal_costs (what buyers booked with
      a Motpart), revenues_after_elimination = booked_revenues − internal_revenues
      (what sellers booked with one).
    - net_cost = booked_costs − booked_revenues. Internal trade that reconciles changes
      both sides by the same kronor and leaves the net as it is;
      net_cost_after_elimination − net_cost = internal_revenues − internal_costs = the
      month's sum of rpt_internal_trade's differences (unreconciled), which is what the
      city's consolidation must still explain.
    Months with any ledger; no board scope (a city total), so board logins in PostgreSQL
    do not see it (warehouse/postgres/access.py: a table without namnd_code).
-#}
with

account_slags as (

    {{ account_followup_slags(ref('fct_ledger')) }}

),

booked as (

    select
        fct_ledger.period,
        fct_ledger.amount,
        account_slags.followup_slag
    from {{ ref('fct_ledger') }} as fct_ledger
    inner join account_slags
        on fct_ledger.konto = account_slags.konto

),

totals as (

    select
        period,
        sum(case when followup_slag = 'Kostnader' then amount else 0 end) as booked_costs,
        sum(case when followup_slag = 'Intäkter' then -amount else 0 end) as booked_revenues
    from booked
    group by period

),

internal as (

    select
        period,
        sum(seller_revenue) as internal_revenues,
        sum(buyer_cost) as internal_costs,
        sum(case when status != 'stämmer' then 1 else 0 end) as unreconciled_pairs
    from {{ ref('rpt_internal_trade') }}
    group by period

),

combined as (

    select
        totals.period,
        totals.booked_costs,
        totals.booked_revenues,
        coalesce(internal.internal_costs, 0) as internal_costs,
        coalesce(internal.internal_revenues, 0) as internal_revenues,
        coalesce(internal.unreconciled_pairs, 0) as unreconciled_pairs
    from totals
    left join internal
        on totals.period = internal.period

)

select
    -- keys
    cast(floor(period / 100) as integer) as year,
    period,

    -- amounts
    cast(booked_costs as decimal(18, 2)) as booked_costs,
    cast(booked_revenues as decimal(18, 2)) as booked_revenues,
    cast(booked_costs - booked_revenues as decimal(18, 2)) as net_cost,
    cast(internal_costs as decimal(18, 2)) as internal_costs,
    cast(internal_revenues as decimal(18, 2)) as internal_revenues,
    cast(booked_costs - internal_costs as decimal(18, 2)) as costs_after_elimination,
    cast(booked_revenues - internal_revenues as decimal(18, 2)) as revenues_after_elimination,
    cast(
        (booked_costs - internal_costs) - (booked_revenues - internal_revenues) as decimal(18, 2)
    ) as net_cost_after_elimination,

    -- attributes
    cast(unreconciled_pairs as integer) as unreconciled_pairs

from combined
