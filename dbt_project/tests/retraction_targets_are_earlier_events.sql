{#-
    A retraction targets an event that exists and was recorded before it: a batch or
    another retraction with a smaller id. Anything else would make the resolution in
    int_retractions_resolved ill-defined, so the build stops.
-#}
select
    retractions.retraction_id,
    retractions.target_id
from {{ source('events', 'retractions') }} as retractions
where
    retractions.target_id >= retractions.retraction_id
    or (
        retractions.target_id not in (
            select batches.batch_id from {{ source('events', 'batches') }} as batches
        )
        and retractions.target_id not in (
            select earlier.retraction_id
            from {{ source('events', 'retractions') }} as earlier
        )
    )
