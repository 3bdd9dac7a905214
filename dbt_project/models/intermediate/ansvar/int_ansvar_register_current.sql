{#-
    The register of responsibility units in its current state: every row of the newest
    accepted delivery. The supersession key is () (the whole register, key text '*'), as
    organisationsmappning: a delivery replaces the previous one whole, so a unit left out
    falls back to the ledger's inferred versions in dim_ansvar and a corrected date leaves
    no old validity behind. As of a moment and without retracted batches, as every
    int_*_current model (macros/current_rows.sql).
-#}
with

current_rows as (

    {{ current_rows(ref('stg_ansvar__units'), 'ansvar') }}

)

select
    batch_id,
    line_number,
    namnd_code,
    ansvar_code,
    ansvar_name,
    valid_from,
    valid_until,
    recorded_at,
    delivery_count
from current_rows
