{#-
    Current state of the forecasts: per (Nämnd, År, Prognostillfälle) the rows of the
    newest accepted delivery only. A re-delivery replaces the key whole, even with
    fewer rows; a file with several boards supersedes each board's key on its own,
    hence the join on the row's own key text '<namnd>|<ar>|<prognostillfalle>'.
-#}
with

current_rows as (

    {{ current_rows(
        ref('stg_prognos__forecasts'),
        'prognos', ['namnd_code', 'year', 'forecast_occasion']
    ) }}

)

select
    batch_id,
    line_number,
    year,
    forecast_occasion,
    namnd_code,
    verksamhet_code,
    slag,
    amount,
    recorded_at,
    delivery_count
from current_rows
