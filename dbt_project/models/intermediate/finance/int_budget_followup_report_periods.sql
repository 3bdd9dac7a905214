{#-
    Step 2 of rpt_budget_followup: the reports of a board's year, one per month from
    January up to the board's last booked month of the year (through_period), with the
    month's last day and the report it closes (T1, T2, VB).
-#}
with

periods as (

    select
        period_key,
        year,
        month,
        last_date,
        closes_report
    from {{ ref('int_calendar_months') }}

),

board_years as (

    select
        namnd_code,
        year,
        max(month) as last_month
    from {{ ref('int_budget_followup_booked_months') }}
    group by namnd_code, year

)

select
    board_years.namnd_code,
    board_years.year,
    periods.period_key as through_period,
    periods.month,
    periods.last_date,
    periods.closes_report
from board_years
inner join periods
    on
        board_years.year = periods.year
        and board_years.last_month >= periods.month
