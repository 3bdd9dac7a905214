{#-
    A board's verksamheter are delivered as a complete re-export per board (supersession
    key: namnd): the newest accepted batch for the board wins, even with fewer rows.
-#}
with

accepted_batches as (

    select
        batch_id,
        recorded_at
    from {{ ref('stg_events__batches') }}
    where source_name = 'verksamheter' and is_accepted

),

deliveries as (

    select
        supersession_keys.namnd_code,
        supersession_keys.batch_id,
        accepted_batches.recorded_at,
        row_number() over (
            partition by supersession_keys.namnd_code
            order by supersession_keys.batch_id desc
        ) as delivery_rank
    from {{ ref('stg_events__supersession_keys') }} as supersession_keys
    inner join accepted_batches
        on supersession_keys.batch_id = accepted_batches.batch_id
    where supersession_keys.source_name = 'verksamheter'

),

current_batches as (

    select
        namnd_code,
        batch_id,
        recorded_at
    from deliveries
    where delivery_rank = 1

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
