{#-
    The two KF budget indicators as the warehouse computes them, per (nämnd, år), on
    net cost (Kostnader - Intäkter) of the operating follow-up:
    - budgetföljsamhet = net outcome / net budget, in percent (100 = on budget);
    - prognossäkerhet T2 = (T2 forecast - net outcome) / net budget, in percent
      (KF's target is +/- 1 %).
    Net budget is the adjusted budget (every current decision of the year); net outcome
    is the booked year, so both need all twelve months of the ledger and stay null
    until the year is closed. Null too when the net budget is 0: Servicenämnden is
    financed by its customers and budgets 160,0 mnkr of costs against 160,0 of revenue.

    Reads int_ledger_summed, not the ledger lines: the current state is summed there
    already (incremental), and re-reading ~1 M lines a month for a handful of totals
    would not be. Accounts are classified by the Kommun-Bas macros dim_konto uses
    (macros/kommunbas.sql), so no intermediate model reads a mart.
-#}
with

budget as (

    select
        namnd_code,
        year,
        sum(case slag when 'Kostnader' then amount else -amount end) as net_budget
    from {{ ref('int_budget_decisions_current') }}
    where slag in ('Kostnader', 'Intäkter')
    group by namnd_code, year

),

forecast_t2 as (

    select
        namnd_code,
        year,
        sum(case slag when 'Kostnader' then amount else -amount end) as net_forecast_t2
    from {{ ref('int_forecasts_current') }}
    where forecast_occasion = 'T2' and slag in ('Kostnader', 'Intäkter')
    group by namnd_code, year

),

account_slags as (

    {{ account_followup_slags(ref('int_ledger_summed')) }}

),

classified as (

    select
        summed.namnd_code,
        summed.period,
        summed.amount,
        account_slags.followup_slag
    from {{ ref('int_ledger_summed') }} as summed
    inner join account_slags
        on summed.konto = account_slags.konto

),

ledger as (

    select
        namnd_code,
        period,
        cast(floor(period / 100) as integer) as year,
        -- the follow-up's positive figures: net cost = Kostnader - Intäkter
        case followup_slag
            when 'Kostnader' then amount * {{ followup_sign('followup_slag') }}
            when 'Intäkter' then -amount * {{ followup_sign('followup_slag') }}
        end as net_cost
    from classified

),

outcome as (

    select
        namnd_code,
        year,
        count(distinct period) as booked_months,
        coalesce(sum(net_cost), 0) as net_outcome
    from ledger
    group by namnd_code, year

),

board_years as (

    select
        namnd_code,
        year
    from budget
    union
    select
        namnd_code,
        year
    from forecast_t2
    union
    select
        namnd_code,
        year
    from outcome

),

combined as (

    select
        board_years.namnd_code,
        board_years.year,
        budget.net_budget,
        forecast_t2.net_forecast_t2,
        coalesce(outcome.booked_months, 0) as booked_months,
        case when outcome.booked_months = 12 then outcome.net_outcome end as net_outcome
    from board_years
    left join budget
        on
            board_years.namnd_code = budget.namnd_code
            and board_years.year = budget.year
    left join forecast_t2
        on
            board_years.namnd_code = forecast_t2.namnd_code
            and board_years.year = forecast_t2.year
    left join outcome
        on
            board_years.namnd_code = outcome.namnd_code
            and board_years.year = outcome.year

)

select
    namnd_code,
    year,
    cast(net_budget as decimal(18, 2)) as net_budget,
    cast(net_forecast_t2 as decimal(18, 2)) as net_forecast_t2,
    cast(net_outcome as decimal(18, 2)) as net_outcome,
    booked_months,
    {{ percent('net_outcome', 'net_budget') }} as budget_adherence_pct,
    {{ percent('net_forecast_t2 - net_outcome', 'net_budget') }} as forecast_accuracy_t2_pct
from combined
