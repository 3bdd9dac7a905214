{#-
    The projects (projekt) the ledger books on: one row per board and project code, with
    the months it was booked in (first_period, last_period) and its lines.

    The grain is (nämnd, projekt), not the code alone: a project number is a board's own
    coding in the city's finance system (the demo's are board code + 3 digits, but
    nothing stops two boards from both numbering a project 1), so projekt_key is md5 of
    both. The ledger is the only source: a project that was planned but never booked is
    not here. fct_ledger does not carry projekt (see int_ledger_units_summed). An
    Unknown member ('-1') is there as in every dimension.
-#}
with

projects as (

    select
        namnd_code,
        projekt_code,
        min(period) as first_period,
        max(period) as last_period,
        count(distinct period) as period_count,
        sum(line_count) as line_count,
        max(recorded_at) as recorded_at
    from {{ ref('int_ledger_units_summed') }}
    where projekt_code is not null
    group by namnd_code, projekt_code

),

members as (

    select
        {{ surrogate_key(['namnd_code', 'projekt_code']) }} as projekt_key,
        projekt_code,
        {{ dimension_key(['namnd_code']) }} as namnd_key,
        namnd_code,
        cast(first_period as integer) as first_period,
        cast(last_period as integer) as last_period,
        cast(period_count as integer) as period_count,
        cast(line_count as bigint) as line_count,
        recorded_at
    from projects

),

unknown_member as (

    select
        {{ unknown_member_key(2) }} as projekt_key,
        '-1' as projekt_code,
        {{ unknown_member_key(1) }} as namnd_key,
        '-1' as namnd_code,
        cast(null as integer) as first_period,
        cast(null as integer) as last_period,
        cast(0 as integer) as period_count,
        cast(0 as bigint) as line_count,
        cast(null as timestamp with time zone) as recorded_at

)

select * from members
union all
select * from unknown_member
