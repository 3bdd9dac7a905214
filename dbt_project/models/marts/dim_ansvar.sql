{#-
    The responsibility units (ansvar) the ledger books on, with their history (SCD type 2
    like dim_namnd): one row per run of months in which one board books the unit. A unit
    that moves to another board (a reorganisation) gets a new version from the first
    month the new board books it; the old version is valid up to that month.

    The ledger is the only source here (the optional register ansvar.csv of issue 17 is
    not built yet): first_period and last_period are the months the unit was booked in,
    valid_from is the first day of first_period, valid_to the valid_from of the next
    version (null on the current one). A unit booked by two boards in one month belongs
    that month to the board with the most lines (then the lower code), so versions never
    overlap; line_count still counts every line of the version's board.

    Keys: ansvar_key is md5 of the code alone, the same on every version (durable, as
    namnd_key); ansvar_version_key is md5 of the code and first_period. fct_ledger does
    not carry ansvar (see int_ledger_units_summed: it would double fct_ledger again),
    so analysts join this dimension through the code where they have one. An Unknown
    member ('-1') is there as in every dimension.
-#}
with

units as (

    select
        ansvar_code,
        namnd_code,
        period,
        sum(line_count) as line_count,
        max(recorded_at) as recorded_at
    from {{ ref('int_ledger_units_summed') }}
    where ansvar_code is not null
    group by ansvar_code, namnd_code, period

),

-- One board per unit and month: the one with the most lines, then the lower code.
owners as (

    select *
    from units
    qualify row_number() over (
        partition by ansvar_code, period order by line_count desc, namnd_code asc
    ) = 1

),

-- Gaps and islands: consecutive booked months of one board share a run_number.
runs as (

    select
        *,
        row_number() over (partition by ansvar_code order by period)
        - row_number() over (partition by ansvar_code, namnd_code order by period)
            as run_number
    from owners

),

versions as (

    select
        ansvar_code,
        namnd_code,
        min(period) as first_period,
        max(period) as last_period,
        count(*) as period_count,
        sum(line_count) as line_count,
        max(recorded_at) as recorded_at
    from runs
    group by ansvar_code, namnd_code, run_number

),

dated as (

    select
        *,
        make_date(
            cast(floor(first_period / 100) as integer), cast(mod(first_period, 100) as integer), 1
        ) as valid_from
    from versions

),

members as (

    select
        {{ surrogate_key(['ansvar_code', 'first_period']) }} as ansvar_version_key,
        {{ surrogate_key(['ansvar_code']) }} as ansvar_key,
        ansvar_code,
        {{ dimension_key(['namnd_code']) }} as namnd_key,
        namnd_code,
        cast(first_period as integer) as first_period,
        cast(last_period as integer) as last_period,
        valid_from,
        lead(valid_from) over (partition by ansvar_code order by first_period) as valid_to,
        row_number() over (partition by ansvar_code order by first_period desc) = 1
            as is_current,
        cast(period_count as integer) as period_count,
        cast(line_count as bigint) as line_count,
        recorded_at
    from dated

),

unknown_member as (

    select
        {{ unknown_member_key(2) }} as ansvar_version_key,
        {{ unknown_member_key(1) }} as ansvar_key,
        '-1' as ansvar_code,
        {{ unknown_member_key(1) }} as namnd_key,
        '-1' as namnd_code,
        cast(null as integer) as first_period,
        cast(null as integer) as last_period,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to,
        true as is_current,
        cast(0 as integer) as period_count,
        cast(0 as bigint) as line_count,
        cast(null as timestamp with time zone) as recorded_at

)

select * from members
union all
select * from unknown_member
