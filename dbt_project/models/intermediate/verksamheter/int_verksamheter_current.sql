{#-
    A board's verksamheter are delivered as a complete re-export per board (supersession
    key: namnd): the newest accepted batch for the board wins, even with fewer rows.
-#}
with

current_rows as (

    {{ current_rows(ref('stg_verksamheter__verksamheter'), 'verksamheter', ['namnd_code']) }}

)

select
    namnd_code,
    verksamhet_code,
    verksamhet_name,
    parent_verksamhet_code,
    successor_verksamhet_code,
    rs_code,
    valid_from,
    valid_to,
    batch_id,
    line_number,
    recorded_at
from current_rows
