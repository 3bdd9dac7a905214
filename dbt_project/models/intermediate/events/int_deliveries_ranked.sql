{#-
    Every delivery of every supersession key, newest first. A later batch for the same
    key replaces the earlier one whole, even when it has fewer rows (a correction can
    remove rows); batch_id order is recorded_at order. Resolved from the tiny
    supersession-key table (one row per key and batch), never from the data rows.
-#}
with

deliveries as (

    select
        supersession_keys.source_name,
        supersession_keys.supersession_key,
        supersession_keys.namnd_code,
        supersession_keys.period,
        supersession_keys.batch_id,
        supersession_keys.row_count,
        accepted.recorded_at
    from {{ ref('stg_events__supersession_keys') }} as supersession_keys
    inner join {{ ref('int_batches_accepted') }} as accepted
        on supersession_keys.batch_id = accepted.batch_id

)

select
    source_name,
    supersession_key,
    namnd_code,
    period,
    batch_id,
    row_count,
    recorded_at,
    row_number() over (
        partition by source_name, supersession_key order by batch_id desc
    ) as delivery_rank,
    count(*) over (partition by source_name, supersession_key) as delivery_count
from deliveries
