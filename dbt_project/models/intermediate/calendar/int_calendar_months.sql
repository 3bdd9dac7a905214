{#-
    Every month from period_first_year to period_last_year (dbt_project.yml vars),
    generated without looking at the data: dim_period's members (it adds the Unknown
    member) and the calendar of the intermediate models (int_budget_followup_*), which
    must not read the mart. Reports are cumulative from January: T1 closes with April
    (Jan-Apr), T2 with August (Jan-Aug), the year-end report (VB) with December; in_t1,
    in_t2 and in_vb say which of them include the month.
-#}
{%- set first_year = var('period_first_year') -%}
{%- set month_count = (var('period_last_year') - first_year + 1) * 12 -%}
{%- set first_month = "cast('" ~ first_year ~ "-01-01' as date)" -%}

with

month_numbers as (

    {{ dbt.generate_series(month_count) }}

),

months as (

    select
        cast(
            {{ dbt.dateadd('month', 'generated_number - 1', first_month) }} as date
        ) as first_date
    from month_numbers

),

calendar as (

    select
        first_date,
        cast({{ dbt.last_day('first_date', 'month') }} as date) as last_date,
        cast(extract(year from first_date) as integer) as year,
        cast(extract(month from first_date) as integer) as month
    from months

),

periods as (

    select
        year,
        month,
        first_date,
        last_date,
        true as in_vb,  -- every month is in the year-end report
        year * 100 + month as period_key,
        case month
            when 1 then 'januari'
            when 2 then 'februari'
            when 3 then 'mars'
            when 4 then 'april'
            when 5 then 'maj'
            when 6 then 'juni'
            when 7 then 'juli'
            when 8 then 'augusti'
            when 9 then 'september'
            when 10 then 'oktober'
            when 11 then 'november'
            when 12 then 'december'
        end as month_name,
        case
            when month <= 4 then 1
            when month <= 8 then 2
            else 3
        end as tertial,
        case month
            when 4 then 'T1'
            when 8 then 'T2'
            when 12 then 'VB'
        end as closes_report,
        -- the cumulative reports that include the month
        month <= 4 as in_t1,
        month <= 8 as in_t2
    from calendar

)

select
    period_key,
    year,
    month,
    month_name,
    tertial,
    closes_report,
    in_t1,
    in_t2,
    in_vb,
    first_date,
    last_date
from periods
