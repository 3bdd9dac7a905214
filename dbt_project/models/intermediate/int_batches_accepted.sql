{#-
    The batches whose data counts: accepted ones. Every current-state model reads its
    batches from here, so the rules of what counts (today: accepted; later: not
    retracted, recorded as of a moment) live in one place for every source.
-#}
select
    batch_id,
    source_name,
    recorded_at
from {{ ref('stg_events__batches') }}
where is_accepted
