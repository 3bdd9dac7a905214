{#-
    The ledger in its current state, at the grain (namnd, verksamhet, konto, period).

    Incremental because a city books ~1 M lines a month and keeps 10 years: the nightly
    build must not re-read 120 M lines to add a month. The supersession key of the
    ledger is (namnd, period), so the model is maintained per key with delete+insert:

    - A key needs work exactly when its winning batch is newer than the newest batch
      already in this table (a winner is the newest accepted batch of its key, so any
      key a new accepted batch delivers has a winner above the high-water mark, and no
      other key has). Rejected batches never win, so they never trigger work.
    - For those keys only the lines of the winning batch are read: the join on batch_id
      against a handful of winners becomes a dynamic min/max filter on the scan of
      events.huvudbok, whose zone maps (rows are inserted in batch_id order) skip every
      other row group.
    - delete+insert removes all rows of each processed key before inserting the new
      ones, so a correction replaces its key completely, including combinations of
      verksamhet and konto that vanished. An accepted export is never empty, so every
      processed key has rows to insert.

    A full refresh runs the same query over every winner and gives the same rows.
    Keys are md5 of the natural key (see macros/surrogate_key.sql) and do not depend on
    the dimensions' contents, so old rows never need re-keying.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['namnd_code', 'period'],
        on_schema_change='fail',
    )
}}

with

current_batches as (

    select
        namnd_code,
        period,
        batch_id,
        recorded_at
    from {{ ref('int_ledger_batches_current') }}
    {% if is_incremental() %}
        where batch_id > (
            select coalesce(max(batch_id), -1) from {{ this }}
        )
    {% endif %}

),

current_lines as (

    select
        ledger_lines.namnd_code,
        ledger_lines.verksamhet_code,
        ledger_lines.konto,
        ledger_lines.period,
        ledger_lines.amount,
        current_batches.batch_id,
        current_batches.recorded_at
    from {{ ref('stg_huvudbok__ledger_lines') }} as ledger_lines
    inner join current_batches
        on
            ledger_lines.batch_id = current_batches.batch_id
            and ledger_lines.namnd_code = current_batches.namnd_code
            and ledger_lines.period = current_batches.period

),

aggregated as (

    select
        namnd_code,
        verksamhet_code,
        konto,
        period,
        batch_id,
        recorded_at,
        cast(sum(amount) as decimal(18, 2)) as amount,
        count(*) as line_count
    from current_lines
    group by
        namnd_code,
        verksamhet_code,
        konto,
        period,
        batch_id,
        recorded_at

)

select
    -- keys
    {{ dimension_key(['namnd_code']) }} as namnd_key,
    {{ dimension_key(['namnd_code', 'verksamhet_code']) }} as verksamhet_key,
    {{ dimension_key(['konto']) }} as konto_key,
    {{ period_key('period') }} as period_key,
    namnd_code,
    verksamhet_code,
    konto,
    period,

    -- amounts
    amount,
    line_count,

    -- lineage
    batch_id,

    -- times
    recorded_at

from aggregated
