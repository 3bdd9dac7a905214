{#-
    Current state of the staff survey: per (Nämnd, År) the rows of the newest accepted
    delivery only. A re-delivery replaces the board's year whole, even with fewer
    indices; a file with several boards supersedes each board's key on its own, hence
    the join on the row's own key text '<namnd>|<ar>'.
-#}
with

current_keys as (

    select
        batch_id,
        supersession_key,
        recorded_at,
        delivery_count
    from {{ ref('int_deliveries_ranked') }}
    where source_name = 'medarbetarenkat' and delivery_rank = 1

),

survey_indices as (

    select
        *,
        namnd_code || '|' || cast(year as varchar) as supersession_key
    from {{ ref('stg_medarbetarenkat__survey_indices') }}

)

select
    survey_indices.batch_id,
    survey_indices.line_number,
    survey_indices.year,
    survey_indices.namnd_code,
    survey_indices.index_name,
    survey_indices.index_value,
    survey_indices.response_rate,
    current_keys.recorded_at,
    current_keys.delivery_count
from survey_indices
inner join current_keys
    on
        survey_indices.batch_id = current_keys.batch_id
        and survey_indices.supersession_key = current_keys.supersession_key
