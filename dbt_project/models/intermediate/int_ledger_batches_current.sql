{#-
    Current state of the ledger: per supersession key (namnd, period) the batch that
    wins, the newest accepted one (highest batch_id; batch_id order is recorded_at
    order), even when it has fewer rows than the one it replaces. Resolved from the
    tiny supersession-key table, never by scanning ledger lines.
-#}
with

accepted_batches as (

    select
        batch_id,
        recorded_at
    from {{ ref('stg_events__batches') }}
    where source_name = 'huvudbok' and is_accepted

),

deliveries as (

    select
        supersession_keys.namnd_code,
        supersession_keys.period,
        supersession_keys.batch_id,
        supersession_keys.row_count,
        accepted_batches.recorded_at
    from {{ ref('stg_events__supersession_keys') }} as supersession_keys
    inner join accepted_batches
        on supersession_keys.batch_id = accepted_batches.batch_id
    where supersession_keys.source_name = 'huvudbok'

),

ranked as (

    select
        namnd_code,
        period,
        batch_id,
        recorded_at,
        row_count,
        row_number() over (
            partition by namnd_code, period order by batch_id desc
        ) as delivery_rank,
        count(*) over (partition by namnd_code, period) as delivery_count
    from deliveries

)

select
    namnd_code,
    period,
    batch_id,
    recorded_at,
    row_count,
    delivery_count
from ranked
where delivery_rank = 1
