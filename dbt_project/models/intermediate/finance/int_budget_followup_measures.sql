{#-
    Step 3 of rpt_budget_followup: every source amount of every report, at the grain of
    the sources' verksamhet, one measure per row (the other amounts 0):
    - budget: the year's decisions with decision_date on or before the report's last
      day (or without a date);
    - booked: the booked months from January up to the report's month;
    - forecast: the lines of the newest forecast made at or before the report (the
      greatest forecast_period <= through_period; at equal months T1/T2 before Mmm,
      then the newest delivery);
    - previous_year: the booked months of the whole previous year.
-#}
{%- set slags = ['Kostnader', 'Intäkter', 'Investering'] -%}

with

report_periods as (

    select * from {{ ref('int_budget_followup_report_periods') }}

),

booked_months as (

    select * from {{ ref('int_budget_followup_booked_months') }}

),

budget_lines as (

    select
        namnd_code,
        year,
        verksamhet_code,
        slag,
        decision_date,
        amount
    from {{ ref('int_budget_decisions_current') }}
    where slag in ('{{ slags | join("', '") }}')

),

forecast_lines as (

    select
        namnd_code,
        year,
        forecast_occasion,
        {{ forecast_period('year', 'forecast_occasion') }} as forecast_period,
        verksamhet_code,
        slag,
        amount,
        batch_id
    from {{ ref('int_forecasts_current') }}
    where slag in ('{{ slags | join("', '") }}')

),

forecast_occasions as (

    select
        namnd_code,
        year,
        forecast_occasion,
        forecast_period,
        max(batch_id) as batch_id
    from forecast_lines
    group by namnd_code, year, forecast_occasion, forecast_period

),

forecast_chosen as (

    select
        report_periods.namnd_code,
        report_periods.year,
        report_periods.through_period,
        occasions.forecast_occasion,
        row_number() over (
            partition by
                report_periods.namnd_code,
                report_periods.year,
                report_periods.through_period
            order by
                occasions.forecast_period desc,
                case when occasions.forecast_occasion like 'T%' then 0 else 1 end,
                occasions.batch_id desc
        ) as recency
    from report_periods
    inner join forecast_occasions as occasions
        on
            report_periods.namnd_code = occasions.namnd_code
            and report_periods.year = occasions.year
            and report_periods.through_period >= occasions.forecast_period

)

select
    report_periods.namnd_code,
    report_periods.year,
    report_periods.through_period,
    budget_lines.verksamhet_code,
    budget_lines.slag,
    budget_lines.amount as adjusted_budget,
    0 as booked_ytd,
    0 as forecast,
    0 as previous_year_outcome,
    'budget' as measure
from report_periods
inner join budget_lines
    on
        report_periods.namnd_code = budget_lines.namnd_code
        and report_periods.year = budget_lines.year
        and (
            budget_lines.decision_date is null
            or report_periods.last_date >= budget_lines.decision_date
        )

union all

select
    report_periods.namnd_code,
    report_periods.year,
    report_periods.through_period,
    booked_months.verksamhet_code,
    booked_months.slag,
    0 as adjusted_budget,
    booked_months.amount as booked_ytd,
    0 as forecast,
    0 as previous_year_outcome,
    'booked' as measure
from report_periods
inner join booked_months
    on
        report_periods.namnd_code = booked_months.namnd_code
        and report_periods.year = booked_months.year
        and report_periods.month >= booked_months.month

union all

select
    forecast_chosen.namnd_code,
    forecast_chosen.year,
    forecast_chosen.through_period,
    forecast_lines.verksamhet_code,
    forecast_lines.slag,
    0 as adjusted_budget,
    0 as booked_ytd,
    forecast_lines.amount as forecast,
    0 as previous_year_outcome,
    'forecast' as measure
from forecast_chosen
inner join forecast_lines
    on
        forecast_chosen.namnd_code = forecast_lines.namnd_code
        and forecast_chosen.year = forecast_lines.year
        and forecast_chosen.forecast_occasion = forecast_lines.forecast_occasion
where forecast_chosen.recency = 1

union all

select
    report_periods.namnd_code,
    report_periods.year,
    report_periods.through_period,
    booked_months.verksamhet_code,
    booked_months.slag,
    0 as adjusted_budget,
    0 as booked_ytd,
    0 as forecast,
    booked_months.amount as previous_year_outcome,
    'previous_year' as measure
from report_periods
inner join booked_months
    on
        report_periods.namnd_code = booked_months.namnd_code
        and report_periods.year - 1 = booked_months.year
