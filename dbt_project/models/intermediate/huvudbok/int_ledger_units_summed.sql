{#-
    The ledger in its current state summed per (nämnd, ansvar, projekt, period): where
    dim_ansvar and dim_projekt learn which board books a responsibility unit or a project
    and in which months.

    Apart from int_ledger_summed because Ansvar and Projekt in that grain would quadruple
    it and fct_ledger (256k rows a year on the benchmark city instead of 132k; the
    nightly's copy of fct_ledger at ~10 years 1.3 -> 3.3 s), while this table is small
    (a board-month has tens of units and projects: ~40 rows). Incremental per supersession
    key (nämnd, period) exactly like int_ledger_summed (see its header): a key is read
    again only when its winning batch changed, delete+insert replaces the key whole, and
    the post-hook removes keys whose only delivery was retracted. Its cost in the nightly
    is one more scan of the new month's lines, through the same zone maps.
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

current_batches as (

    {{ ledger_batches_to_read() }}

),

current_lines as (

    select
        ledger_lines.namnd_code,
        ledger_lines.ansvar_code,
        ledger_lines.projekt_code,
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

)

select
    namnd_code,
    ansvar_code,
    projekt_code,
    period,
    batch_id,
    recorded_at,
    cast(sum(amount) as decimal(18, 2)) as amount,
    count(*) as line_count
from current_lines
group by
    namnd_code,
    ansvar_code,
    projekt_code,
    period,
    batch_id,
    recorded_at
