{#-
    A board's verksamheter are delivered as a complete re-export per board (supersession
    key: namnd): the newest accepted batch for the board wins, even with fewer rows.
-#}
with

current_batches as (

    select
        namnd_code,
        batch_id,
        recorded_at
    from {{ ref('int_deliveries_ranked') }}
    where source_name = 'verksamheter' and delivery_rank = 1

)

select
    verksamheter.namnd_code,
    verksamheter.verksamhet_code,
    verksamheter.verksamhet_name,
    verksamheter.parent_verksamhet_code,
    verksamheter.valid_from,
    verksamheter.valid_to,
    verksamheter.batch_id,
    verksamheter.line_number,
    current_batches.recorded_at
from {{ ref('stg_verksamheter__verksamheter') }} as verksamheter
inner join current_batches
    on
        verksamheter.batch_id = current_batches.batch_id
        and verksamheter.namnd_code = current_batches.namnd_code
