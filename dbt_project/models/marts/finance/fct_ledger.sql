{#-
    The ledger in its current state, at the grain (namnd, verksamhet, konto, motpart,
    period), with the keys of its dimensions. Motpart is the counterparty board of an
    internal (stadsintern) line and null on every external line; motpart_namnd_key is
    then null too (no counterparty is not an unknown one), so a join to dim_namnd on it
    finds the buyer or seller of internal trade only.

    The sum itself is int_ledger_summed, incremental per supersession key (nämnd,
    period) so that the nightly build never re-reads the ~1 M lines a month of the
    history; this table is a full copy of that sum (one row per nämnd, verksamhet, konto,
    motpart and month: thousands a month), rebuilt on every run. Keys are md5 of the natural key
    (see macros/surrogate_key.sql) and do not depend on the dimensions' contents.
-#}
with

ledger as (

    select * from {{ ref('int_ledger_summed') }}

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
