{#-
    Sick-leave hours summed over the three windows the reports use, for every month a
    board delivered (its through-period, `period`):
    - month: that month alone;
    - ytd: January of its year up to and including it (2011 through August: 201101-201108);
    - rolling_12m: the twelve months ending with it (through 201107: 201008-201107).
    Months without a delivery inside a window are simply absent: month_count says how
    many the window holds (a rolling window in a board's first year holds fewer than 12).

    employees is the group's smallest monthly headcount in the window: the persons a
    figure of the window is at least about, and the basis of small-group suppression. A
    window that contains a month with a small group is itself small, so no difference of
    two published windows (ytd through August minus through July) reveals that month.

    A table, not a view: its three data tests and rpt_sick_leave each computed the
    windows again as a view (the tests 1,2 s of the 1-year benchmark city's nightly
    build, one window sum ~0,3 s, growing with every month of history).
-#}
{{ config(materialized='table') }}
with

groups as (

    select * from {{ ref('int_sick_leave_groups_totalled') }}

),

through_periods as (

    select distinct
        namnd_code,
        period as through_period,
        mod(period, 100) as month_number
    from groups

),

windows as (

    select
        namnd_code,
        through_period,
        'month' as time_window,
        through_period as first_period
    from through_periods

    union all

    select
        namnd_code,
        through_period,
        'ytd' as time_window,
        through_period - month_number + 1 as first_period
    from through_periods

    union all

    -- YYYYMM arithmetic: December's window starts in January of the same year, every
    -- other month's in the next month of the year before (201107 -> 201008).
    select
        namnd_code,
        through_period,
        'rolling_12m' as time_window,
        case
            when month_number = 12 then through_period - 11
            else through_period - 99
        end as first_period
    from through_periods

),

summed as (

    select
        windows.namnd_code,
        windows.through_period as period,
        windows.time_window,
        windows.first_period,
        groups.gender,
        groups.age_group,
        groups.breakdown,
        count(*) as month_count,
        min(groups.employees) as employees,
        sum(groups.scheduled_hours) as scheduled_hours,
        sum(groups.sick_hours) as sick_hours,
        sum(groups.sick_hours_day_1_14) as sick_hours_day_1_14,
        sum(groups.sick_hours_60_days_plus) as sick_hours_60_days_plus
    from windows
    inner join groups
        on
            windows.namnd_code = groups.namnd_code
            and groups.period between windows.first_period and windows.through_period
    group by
        windows.namnd_code,
        windows.through_period,
        windows.time_window,
        windows.first_period,
        groups.gender,
        groups.age_group,
        groups.breakdown

)

select * from summed
