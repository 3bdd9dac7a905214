{#-
    Every month from period_first_year to period_last_year (dbt_project.yml vars),
    generated without looking at the data (int_calendar_months), plus the Unknown
    member (-1). Reports are cumulative from January: T1 closes with April (Jan-Apr), T2
    with August (Jan-Aug), the year-end report (VB) with December; in_t1, in_t2 and in_vb
    say which of them include the month.
-#}
with

periods as (

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
    from {{ ref('int_calendar_months') }}

),

unknown_member as (

    select
        -1 as period_key,
        cast(null as integer) as year,
        cast(null as integer) as month,
        'Okänd' as month_name,
        cast(null as integer) as tertial,
        cast(null as {{ dbt.type_string() }}) as closes_report,
        cast(null as boolean) as in_t1,
        cast(null as boolean) as in_t2,
        cast(null as boolean) as in_vb,
        cast(null as date) as first_date,
        cast(null as date) as last_date

)

select * from periods
union all
select * from unknown_member
