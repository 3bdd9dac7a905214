{#-
    The ledger in its current state, at the grain (namnd, verksamhet, konto, period),
    with the keys of its dimensions.

    The sum itself is int_ledger_summed, incremental per supersession key (nämnd,
    period) so that the nightly build never re-reads the ~1 M lines a month of the
    history; this table is a full copy of that sum (one row per nämnd, verksamhet, konto
    and month: thousands a month), rebuilt on every run. Keys are md5 of the natural key
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
    recorded_at

from ledger
