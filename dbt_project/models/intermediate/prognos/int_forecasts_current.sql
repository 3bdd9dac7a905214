{#-
    Current state of the forecasts: per (Nämnd, År, Prognostillfälle) the rows of the
    newest accepted delivery only. A re-delivery replaces the key whole, even with
    fewer rows; a file with several boards supersedes each board's key on its own,
    hence the join on the row's own key text '<namnd>|<ar>|<prognostillfalle>'.
-#}
with

current_keys as (

    select
        batch_id,
        supersession_key,
        recorded_at,
        delivery_count
    from {{ ref('int_deliveries_ranked') }}
    where source_name = 'prognos' and delivery_rank = 1

),

forecasts as (

    select
        *,
        namnd_code || '|' || cast(year as varchar) || '|' || forecast_occasion as supersession_key
    from {{ ref('stg_prognos__forecasts') }}

)

select
    forecasts.batch_id,
    forecasts.line_number,
    forecasts.year,
    forecasts.forecast_occasion,
    forecasts.namnd_code,
    forecasts.verksamhet_code,
    forecasts.slag,
    forecasts.amount,
    current_keys.recorded_at,
    current_keys.delivery_count
from forecasts
inner join current_keys
    on
        forecasts.batch_id = current_keys.batch_id
        and forecasts.supersession_key = current_keys.supersession_key
