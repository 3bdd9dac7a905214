{#-
    Current state of the staff survey: per (Nämnd, År) the rows of the newest accepted
    delivery only. A re-delivery replaces the board's year whole, even with fewer
    indices; a file with several boards supersedes each board's key on its own, hence
    the join on the row's own key text '<namnd>|<ar>'.
-#}
with

current_rows as (

    {{ current_rows(
        ref('stg_medarbetarenkat__survey_indices'),
        'medarbetarenkat', ['namnd_code', 'year']
    ) }}

)

select
    batch_id,
    line_number,
    year,
    namnd_code,
    index_name,
    index_value,
    response_rate,
    recorded_at,
    delivery_count
from current_rows
