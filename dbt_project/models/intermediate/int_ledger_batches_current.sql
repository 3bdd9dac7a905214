{#-
    Current state of the ledger: per supersession key (namnd, period) the batch that
    wins, the newest accepted delivery (see int_deliveries_ranked).
-#}
select
    namnd_code,
    period,
    batch_id,
    recorded_at,
    row_count,
    delivery_count
from {{ ref('int_deliveries_ranked') }}
where source_name = 'huvudbok' and delivery_rank = 1
