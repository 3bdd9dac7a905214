{#-
    Current state of the ledger: per supersession key (namnd, period) the batch that
    wins, the newest accepted delivery (see int_deliveries_ranked).
-#}
with

current_deliveries as (

    {{ current_deliveries('huvudbok') }}

)

select
    namnd_code,
    period,
    batch_id,
    recorded_at,
    row_count,
    delivery_count
from current_deliveries
