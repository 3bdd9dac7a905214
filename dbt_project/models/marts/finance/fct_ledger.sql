{#-
    The ledger in its current state, at the grain (namnd, verksamhet, konto, motpart,
    period), with the keys of its dimensions. Motpart is the counterparty board of an
    internal (stadsintern) line and null on every external line; motpart_namnd_key is
    then null too (no counterparty is not an unknown one), so a join to dim_namnd on it
    finds the buyer or seller of internal trade only.

    The sum itself is int_ledger_summed, incremental per supersession key (nämnd,
    period) so that the nightly build never re-reads the ~1 M lines a month of the
    history. This table adds the keys and is kept the same way (macros/ledger_sums.sql):
    a run copies only the keys whose winning batch it does not hold, delete+insert
    replaces such a key whole, and the post-hook drops keys whose only delivery was
    retracted. As a full copy it cost the nightly build 1,3 s at 10 years (~1,3 M rows,
    ~11 000 a month, growing with history); the new month's keys cost a few hundredths.
    Keys are md5 of the natural key (see macros/surrogate_key.sql) and do not depend on
    the dimensions' contents, so rows once written never need re-keying.
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

batches_to_read as (

    {{ ledger_batches_to_read() }}

),

ledger as (

    select summed.*
    from {{ ref('int_ledger_summed') }} as summed
    inner join batches_to_read
        on
            summed.namnd_code = batches_to_read.namnd_code
            and summed.period = batches_to_read.period
            and summed.batch_id = batches_to_read.batch_id

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
    recorded_at,

    -- counterparty (internal trade), last so that the older columns keep their places
    case
        when motpart_namnd_code is not null
            then {{ surrogate_key(['motpart_namnd_code']) }}
    end as motpart_namnd_key,
    motpart_namnd_code

from ledger
