{#-
    Step 3 of rpt_budget_followup: every source amount of every report, at the grain of
    the sources' verksamhet, one measure per row (the other amounts 0):
    - budget: the year's decisions with decision_date on or before the report's last
      day (or without a date);
    - booked: the booked months from January up to the report's month, one row per
      (report, verksamhet, slag) from its first booked month on;
    - forecast: the lines of the newest forecast made at or before the report (the
      greatest forecast_period <= through_period; at equal months T1/T2 before Mmm,
      then the newest delivery);
    - previous_year: the booked months of the whole previous year, one row per
      (report, verksamhet, slag).

    Booked and previous year are summed before they meet the reports: joining every
    booked month to every report at or after it made ~6,5 rows per booked month, and
    the previous year's 12 months to each of the next year's 12 reports 12 (the demo
    city: 148 000 and 183 000 rows for 23 000 booked months; 0,25 s of the 0,45 s of
    rpt_budget_followup, which grows with every year of history and ran every night).
    A running sum over the reports of a year gives the first at one row per report,
    the year's total the second.
-#}
{%- set slags = ['Kostnader', 'Intäkter', 'Investering'] -%}

with

report_periods as (

    select * from {{ ref('int_budget_followup_report_periods') }}

),

booked_months as (

    select * from {{ ref('int_budget_followup_booked_months') }}

),

booked_keys as (

    select distinct
        namnd_code,
        year,
        verksamhet_code,
        slag
    from booked_months

),

-- Every report of a board's year beside every (verksamhet, slag) the year books, with
-- the month's own amount (null where the key books nothing that month).
booked_grid as (

    select
        report_periods.namnd_code,
        report_periods.year,
        report_periods.through_period,
        report_periods.month,
        booked_keys.verksamhet_code,
        booked_keys.slag,
        months.amount
    from report_periods
    inner join booked_keys
        on
            report_periods.namnd_code = booked_keys.namnd_code
            and report_periods.year = booked_keys.year
    left join booked_months as months
        on
            report_periods.namnd_code = months.namnd_code
            and report_periods.year = months.year
            and report_periods.month = months.month
            and booked_keys.verksamhet_code = months.verksamhet_code
            and booked_keys.slag = months.slag

),

-- From January to each report's month (reports run from January without a gap).
booked_ytd as (

    select
        namnd_code,
        year,
        through_period,
        verksamhet_code,
        slag,
        sum(amount) over year_to_date as booked_ytd,
        count(amount) over year_to_date as months_booked
    from booked_grid
    window year_to_date as (
        partition by namnd_code, year, verksamhet_code, slag
        order by month
        rows between unbounded preceding and current row
    )

),

booked_years as (

    select
        namnd_code,
        year,
        verksamhet_code,
        slag,
        sum(amount) as amount
    from booked_months
    group by namnd_code, year, verksamhet_code, slag

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
    namnd_code,
    year,
    through_period,
    verksamhet_code,
    slag,
    0 as adjusted_budget,
    booked_ytd,
    0 as forecast,
    0 as previous_year_outcome,
    'booked' as measure
from booked_ytd
where months_booked > 0

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
    booked_years.verksamhet_code,
    booked_years.slag,
    0 as adjusted_budget,
    0 as booked_ytd,
    0 as forecast,
    booked_years.amount as previous_year_outcome,
    'previous_year' as measure
from report_periods
inner join booked_years
    on
        report_periods.namnd_code = booked_years.namnd_code
        and report_periods.year - 1 = booked_years.year
