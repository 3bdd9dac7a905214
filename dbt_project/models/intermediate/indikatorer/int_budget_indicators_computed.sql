{#-
    The KF budget indicators as the warehouse computes them, per (nämnd, år), on
    net cost (Kostnader - Intäkter) of the operating follow-up:
    - budgetföljsamhet före resultatöverföringar = net cost / net budget, in percent
      (100 = on budget);
    - budgetföljsamhet efter resultatöverföringar = net cost / (net budget + the
      result fund the board decided to use in the year): the fund used (disposition,
      int_result_fund_decisions_current) is last years' result moved into this year's
      frame, so it adds to the budget the cost is measured against. A board without a
      disposition has the same figure before and after;
    - prognossäkerhet T2 = (T2 forecast - net outcome) / net budget, in percent
      (KF's target is +/- 1 %).
    Net budget is the adjusted budget (every current decision of the year). The net
    cost is the booked year for the year-end figures (`budget_adherence_pct`,
    `budget_adherence_before_pct`), so they need all twelve months of the ledger and
    stay null until the year is closed; the tertial reports' figures are the forecast
    of their occasion (`*_t1_pct`, `*_t2_pct`), as the boards report them then.
    Null where the budget measured against is 0. Servicenämnden 2011 is financed by its
    customers (160,0 mnkr of costs against 160,0 of revenue, net 0): T2 forecasts a net
    cost of 2,0 mnkr (158,8 - 156,8) and uses 2,0 of its fund, so före is null (2,0 / 0)
    and efter is 2,0 / (0 + 2,0) = 100,0 %: the reference report prints "100%" efter and
    leaves före blank.
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

forecasts as (

    select
        namnd_code,
        year,
        sum(
            case
                when forecast_occasion = 'T1'
                    then case slag when 'Kostnader' then amount else -amount end
            end
        ) as net_forecast_t1,
        sum(
            case
                when forecast_occasion = 'T2'
                    then case slag when 'Kostnader' then amount else -amount end
            end
        ) as net_forecast_t2
    from {{ ref('int_forecasts_current') }}
    where forecast_occasion in ('T1', 'T2') and slag in ('Kostnader', 'Intäkter')
    group by namnd_code, year

),

-- The result fund each board decided to use in the year (rpt_result_funds' used_amount).
funds_used as (

    select
        namnd_code,
        year,
        sum(amount) as used_fund
    from {{ ref('int_result_fund_decisions_current') }}
    where decision_kind = 'disposition'
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
    from forecasts
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
        forecasts.net_forecast_t1,
        forecasts.net_forecast_t2,
        coalesce(funds_used.used_fund, 0) as used_fund,
        budget.net_budget + coalesce(funds_used.used_fund, 0) as net_budget_after_transfers,
        coalesce(outcome.booked_months, 0) as booked_months,
        case when outcome.booked_months = 12 then outcome.net_outcome end as net_outcome
    from board_years
    left join budget
        on
            board_years.namnd_code = budget.namnd_code
            and board_years.year = budget.year
    left join forecasts
        on
            board_years.namnd_code = forecasts.namnd_code
            and board_years.year = forecasts.year
    left join funds_used
        on
            board_years.namnd_code = funds_used.namnd_code
            and board_years.year = funds_used.year
    left join outcome
        on
            board_years.namnd_code = outcome.namnd_code
            and board_years.year = outcome.year

)

select
    namnd_code,
    year,
    cast(net_budget as decimal(18, 2)) as net_budget,
    cast(used_fund as decimal(18, 2)) as used_fund,
    cast(net_forecast_t1 as decimal(18, 2)) as net_forecast_t1,
    cast(net_forecast_t2 as decimal(18, 2)) as net_forecast_t2,
    cast(net_outcome as decimal(18, 2)) as net_outcome,
    booked_months,
    {{ percent('net_outcome', 'net_budget_after_transfers') }} as budget_adherence_pct,
    {{ percent('net_outcome', 'net_budget') }} as budget_adherence_before_pct,
    {{ percent('net_forecast_t1', 'net_budget_after_transfers') }} as budget_adherence_t1_pct,
    {{ percent('net_forecast_t1', 'net_budget') }} as budget_adherence_before_t1_pct,
    {{ percent('net_forecast_t2', 'net_budget_after_transfers') }} as budget_adherence_t2_pct,
    {{ percent('net_forecast_t2', 'net_budget') }} as budget_adherence_before_t2_pct,
    {{ percent('net_forecast_t2 - net_outcome', 'net_budget') }} as forecast_accuracy_t2_pct
from combined
