{#-
    The responsibility units (ansvar) with their names and history (SCD type 2 like
    dim_namnd): one row per version, a validity in which one board has the unit.

    Two sources, per unit:
    - The register ansvar.csv (int_ansvar_register_current), where it lists the unit: its
      rows are the versions (board, name, valid_from = Giltig från, valid_to = the day
      after Giltig till, exclusive), version_source 'register'.
    - The ledger (int_ledger_units_summed) for what the register does not cover: a unit
      it does not list, or the months of a listed unit outside every validity. One
      version per run of months in which one board books the unit (a unit booked by two
      boards in one month belongs that month to the board with the most lines, then the
      lower code, so versions never overlap); valid_from is the first day of the run's
      first month, valid_to the next version's valid_from (null on the last), version
      source 'ledger', is_inferred. A month whose first day a register version holds
      breaks a run, so an inferred version never spans one (a register version that holds
      no month's first day, shorter than a month, does not break it). Its name is the
      register's newest for the unit, or 'Okänd'.

    first_period, last_period, period_count and line_count are the ledger's months and
    lines inside the version (a register version booked in no month has null and 0).

    Keys: ansvar_key is md5 of the code alone, the same on every version (durable, as
    namnd_key); ansvar_version_key is md5 of the code and valid_from (for an inferred
    version the first day of its first month). fct_ledger_units carries both (the version
    valid on the first day of its period). An Unknown member ('-1') is there as in every
    dimension.
-#}
with

register as (

    select
        ansvar_code,
        namnd_code,
        ansvar_name,
        valid_from,
        cast(valid_until + interval 1 day as date) as valid_to,
        recorded_at
    from {{ ref('int_ansvar_register_current') }}

),

-- The register's newest name per unit: what an inferred version of a listed unit shows.
register_names as (

    select
        ansvar_code,
        ansvar_name
    from register
    qualify row_number() over (partition by ansvar_code order by valid_from desc) = 1

),

units as (

    select
        ansvar_code,
        namnd_code,
        period,
        make_date(cast(period // 100 as integer), cast(period % 100 as integer), 1)
            as period_start,
        sum(line_count) as line_count,
        max(recorded_at) as recorded_at
    from {{ ref('int_ledger_units_summed') }}
    where ansvar_code is not null
    group by ansvar_code, namnd_code, period

),

-- One board per unit and month: the one with the most lines, then the lower code; and
-- the register version (if any) whose validity holds the month's first day.
owners as (

    select
        units.*,
        register.valid_from as covered_from
    from units
    left join register
        on
            units.ansvar_code = register.ansvar_code
            and units.period_start >= register.valid_from
            and (register.valid_to is null or units.period_start < register.valid_to)
    qualify row_number() over (
        partition by units.ansvar_code, units.period
        order by units.line_count desc, units.namnd_code asc
    ) = 1

),

-- Gaps and islands over every booked month: consecutive months of one segment (a board
-- of the ledger, or a register version) share a run_number.
runs as (

    select
        *,
        row_number() over (partition by ansvar_code order by period)
        - row_number() over (
            partition by
                ansvar_code,
                case when covered_from is null then 'L' || namnd_code else 'R' end,
                covered_from
            order by period
        ) as run_number
    from owners

),

inferred as (

    select
        ansvar_code,
        namnd_code,
        min(period_start) as valid_from,
        min(period) as first_period,
        max(period) as last_period,
        count(*) as period_count,
        sum(line_count) as line_count,
        max(recorded_at) as recorded_at
    from runs
    where covered_from is null
    group by ansvar_code, namnd_code, run_number

),

-- Every board's lines of a listed unit inside each register version.
registered as (

    select
        register.ansvar_code,
        register.namnd_code,
        register.ansvar_name,
        register.valid_from,
        register.valid_to,
        min(units.period) as first_period,
        max(units.period) as last_period,
        count(distinct units.period) as period_count,
        coalesce(sum(units.line_count), 0) as line_count,
        greatest(max(units.recorded_at), max(register.recorded_at)) as recorded_at
    from register
    left join units
        on
            register.ansvar_code = units.ansvar_code
            and register.valid_from <= units.period_start
            and (register.valid_to is null or register.valid_to > units.period_start)
    group by
        register.ansvar_code,
        register.namnd_code,
        register.ansvar_name,
        register.valid_from,
        register.valid_to

),

versions as (

    select
        ansvar_code,
        namnd_code,
        ansvar_name,
        valid_from,
        valid_to,
        first_period,
        last_period,
        period_count,
        line_count,
        recorded_at,
        'register' as version_source
    from registered

    union all

    select
        inferred.ansvar_code,
        inferred.namnd_code,
        coalesce(register_names.ansvar_name, 'Okänd') as ansvar_name,
        inferred.valid_from,
        -- the next version of the unit, register or inferred
        cast(null as date) as valid_to,
        inferred.first_period,
        inferred.last_period,
        inferred.period_count,
        inferred.line_count,
        inferred.recorded_at,
        'ledger' as version_source
    from inferred
    left join register_names on inferred.ansvar_code = register_names.ansvar_code

),

members as (

    select
        {{ surrogate_key(['ansvar_code', 'valid_from']) }} as ansvar_version_key,
        {{ surrogate_key(['ansvar_code']) }} as ansvar_key,
        ansvar_code,
        ansvar_name,
        {{ dimension_key(['namnd_code']) }} as namnd_key,
        namnd_code,
        cast(first_period as integer) as first_period,
        cast(last_period as integer) as last_period,
        valid_from,
        case
            when version_source = 'register' then valid_to
            else lead(valid_from) over (partition by ansvar_code order by valid_from)
        end as valid_to,
        row_number() over (partition by ansvar_code order by valid_from desc) = 1
            as is_current,
        cast(period_count as integer) as period_count,
        cast(line_count as bigint) as line_count,
        version_source,
        version_source = 'ledger' as is_inferred,
        recorded_at
    from versions

),

unknown_member as (

    select
        {{ unknown_member_key(2) }} as ansvar_version_key,
        {{ unknown_member_key(1) }} as ansvar_key,
        '-1' as ansvar_code,
        'Okänd' as ansvar_name,
        {{ unknown_member_key(1) }} as namnd_key,
        '-1' as namnd_code,
        cast(null as integer) as first_period,
        cast(null as integer) as last_period,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to,
        true as is_current,
        cast(0 as integer) as period_count,
        cast(0 as bigint) as line_count,
        'unknown' as version_source,
        false as is_inferred,
        cast(null as timestamp with time zone) as recorded_at

)

select * from members
union all
select * from unknown_member
