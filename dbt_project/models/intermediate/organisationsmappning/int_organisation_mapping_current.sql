{#-
    The organisation mapping in its current state: every line of the newest accepted
    delivery. The supersession key is () (the whole mapping, key text '*'): a delivery
    replaces the previous one whole, so a share corrected from 0,6 to 0,5 leaves no 0,6
    behind and a line left out is gone. As of a moment and without retracted batches, as
    every int_*_current model (macros/current_rows.sql): retract the newest delivery and
    the one before it counts again.
-#}
with

current_rows as (

    {{ current_rows(ref('stg_organisationsmappning__mappings'), 'organisationsmappning') }}

)

select
    batch_id,
    line_number,
    from_namnd_code,
    to_namnd_code,
    valid_from,
    mapped_share,
    recorded_at,
    delivery_count
from current_rows
