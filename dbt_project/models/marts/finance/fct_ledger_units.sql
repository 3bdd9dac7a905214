{#-
    The ledger at the grain of responsibility units and projects: one row per (nämnd,
    ansvar, projekt, period) of the current state, with the winning batch, keyed to
    dim_namnd, dim_ansvar (the version valid on the period's first day, and the durable
    key), dim_projekt and dim_period. Apart from fct_ledger because Ansvar and Projekt in
    its grain would double it (see int_ledger_units_summed's header).

    Incremental per supersession key (nämnd, period) like int_ledger_summed
    (macros/ledger_sums.sql), because 10 years of board-months must not be copied every
    night: a key is read again when its winning batch changed (from
    int_ledger_units_summed, itself incremental, ~40 rows a board-month: a new month of
    28 boards is ~1 100 rows), delete+insert replaces it whole, and the post-hook removes
    keys whose only delivery was retracted.

    The one thing a key's batch does not decide is its version of dim_ansvar: a new
    register (ansvar.csv) or a unit's first month on another board moves a validity. So a
    run also reads again the keys holding a row whose ansvar_version_key is no longer
    the version valid in its period. Finding them reads this table's distinct (unit,
    month, version) (at 10 years ~135 000 rows: 28 boards × 120 months × ~40; ~100 000
    distinct) against dim_ansvar's versions (hundreds) in a range join: 0,28-0,45 s on
    142 000 rows at load 5-7 on 2 cores (0,65-0,98 s joining every row first); a
    register that moves one unit re-keys only that unit's board-months.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['namnd_code', 'period'],
        on_schema_change='fail',
        post_hook=["{{ ledger_keys_retracted() }}"],
    )
}}

with

versions as (

    select
        ansvar_code,
        ansvar_version_key,
        valid_from,
        valid_to
    from {{ ref('dim_ansvar') }}
    where ansvar_code != '-1'

),

{% if is_incremental() %}
    -- The (unit, month) pairs this table holds with a version of dim_ansvar that no
    -- longer holds the month (incremental run only): distinct pairs, then the range join.
    held_versions as (

        select distinct
            ansvar_code,
            period,
            ansvar_version_key
        from {{ this }}
        where ansvar_code is not null

    ),

    moved_versions as (

        select
            held_versions.ansvar_code,
            held_versions.period
        from held_versions
        left join versions
            on
                held_versions.ansvar_code = versions.ansvar_code
                and make_date(
                    cast(held_versions.period // 100 as integer),
                    cast(held_versions.period % 100 as integer),
                    1
                ) >= versions.valid_from
                and (
                    versions.valid_to is null
                    or make_date(
                        cast(held_versions.period // 100 as integer),
                        cast(held_versions.period % 100 as integer),
                        1
                    ) < versions.valid_to
                )
        where
            held_versions.ansvar_version_key
            != coalesce(versions.ansvar_version_key, {{ unknown_member_key(2) }})

    ),
{% endif %}

batches_to_read as (

    {{ ledger_batches_to_read() }}

    {% if is_incremental() %}
        union

        -- the keys holding such a pair, with the batch they hold
        select distinct
            existing.namnd_code,
            existing.period,
            existing.batch_id,
            existing.recorded_at
        from {{ this }} as existing
        where exists (
            select 1
            from moved_versions
            where
                moved_versions.ansvar_code = existing.ansvar_code
                and moved_versions.period = existing.period
        )
    {% endif %}

),

keys_to_read as (

    select distinct
        namnd_code,
        period
    from batches_to_read

),

units as (

    select
        summed.namnd_code,
        summed.ansvar_code,
        summed.projekt_code,
        summed.period,
        summed.amount,
        summed.line_count,
        summed.batch_id,
        summed.recorded_at,
        make_date(cast(summed.period // 100 as integer), cast(summed.period % 100 as integer), 1)
            as period_start
    from {{ ref('int_ledger_units_summed') }} as summed
    inner join keys_to_read
        on
            summed.namnd_code = keys_to_read.namnd_code
            and summed.period = keys_to_read.period

),

keyed as (

    select
        units.*,
        versions.ansvar_version_key
    from units
    left join versions
        on
            units.ansvar_code = versions.ansvar_code
            and units.period_start >= versions.valid_from
            and (versions.valid_to is null or units.period_start < versions.valid_to)

)

select
    -- keys
    {{ dimension_key(['namnd_code']) }} as namnd_key,
    {{ dimension_key(['ansvar_code']) }} as ansvar_key,
    coalesce(ansvar_version_key, {{ unknown_member_key(2) }}) as ansvar_version_key,
    {{ dimension_key(['namnd_code', 'projekt_code']) }} as projekt_key,
    {{ period_key('period') }} as period_key,
    namnd_code,
    ansvar_code,
    projekt_code,
    period,

    -- amounts
    amount,
    line_count,

    -- lineage
    batch_id,

    -- times
    recorded_at

from keyed
