{#-
    The budget follow-up's last rows, as the reports' "Uppföljning av driftbudget" prints
    them below the board's net result: Nettoresultat före resultatdisposition, Ingående
    and Utgående resultatfond, and "Budget och resultat efter resultatdisposition".
    One row per (nämnd, year, through_period) of rpt_budget_followup for a board with
    result fund decisions in the year (rpt_result_funds).

    - The net result before disposition is the follow-up's Netto total row (Intäkter −
      Kostnader): budget, booked so far and forecast.
    - The fund used in the year (disposition) covers costs the budget did not have, so
      forecast_after_disposition = net forecast + used; the budget is set without the
      fund, so budget_after_disposition = the net budget. Servicenämnden T2 2011: −2,0 +
      2,0 = 0,0 against a budget of 0,0, a deviation of 0,0.
    - The fund figures are the year's current decisions whatever their date: the reports
      print the planned use and transfer during the year ("beräknas överföras"); an
      as-of build shows what was decided by then.
    - Budgetföljsamhet före and efter resultatöverföringar (KF 3.1's indicators) on the
      same forecast, in percent with one decimal: net cost / net budget, and net cost /
      (net budget + the fund used), as int_budget_indicators_computed defines them;
      null where that budget is 0. Servicenämnden T2 2011: före 2,0 / 0 null (the
      report leaves it blank), efter 2,0 / (0 + 2,0) = 100,0 % (printed "100%").
    - The same rows in mnkr with one decimal (`*_mnkr`), each rounded on its own from
      exact kronor by the `mnkr` macro, as rpt_budget_followup_mnkr: what the report
      prints (Utgående resultatfond printed negative: the negated figure rounds to the
      negated mnkr, the macro rounding half away from zero).
-#}
with

net_result as (

    select
        namnd_code,
        year,
        through_period,
        report,
        adjusted_budget,
        booked_ytd,
        forecast
    from {{ ref('rpt_budget_followup') }}
    where is_total and slag = 'Netto'

),

funds as (

    select * from {{ ref('rpt_result_funds') }}

),

in_kronor as (

    select
        -- keys
        funds.namnd_key,
        net_result.namnd_code,
        net_result.year,
        net_result.through_period,
        net_result.report,

        -- amounts
        net_result.adjusted_budget as net_result_budget,
        net_result.booked_ytd as net_result_booked_ytd,
        net_result.forecast as net_result_forecast,
        funds.opening_fund,
        funds.used_amount,
        funds.closing_fund,
        net_result.adjusted_budget as budget_after_disposition,
        cast(net_result.forecast + funds.used_amount as decimal(18, 2))
            as forecast_after_disposition,
        cast(net_result.forecast + funds.used_amount - net_result.adjusted_budget as decimal(18, 2))
            as deviation_after_disposition,

        -- KF 3.1's budgetföljsamhet on net cost (− net result)
        {{ percent('-net_result.forecast', '-net_result.adjusted_budget') }}
            as budget_adherence_before_pct,
        {{ percent('-net_result.forecast', 'funds.used_amount - net_result.adjusted_budget') }}
            as budget_adherence_after_pct

    from net_result
    inner join funds
        on
            net_result.namnd_code = funds.namnd_code
            and net_result.year = funds.year

)

select
    *,

    -- amounts in mnkr, as printed
    {{ mnkr('net_result_budget') }} as net_result_budget_mnkr,
    {{ mnkr('net_result_forecast') }} as net_result_forecast_mnkr,
    {{ mnkr('opening_fund') }} as opening_fund_mnkr,
    {{ mnkr('closing_fund') }} as closing_fund_mnkr,
    {{ mnkr('budget_after_disposition') }} as budget_after_disposition_mnkr,
    {{ mnkr('forecast_after_disposition') }} as forecast_after_disposition_mnkr,
    {{ mnkr('deviation_after_disposition') }} as deviation_after_disposition_mnkr

from in_kronor
