{#-
    Current state of the indicator follow-ups: per supersession key (nämnd, år, rapport)
    the rows of the newest accepted delivery (see int_deliveries_ranked), even when a
    correction has fewer rows than the delivery it replaces. A file may hold several
    keys, so rows join on their batch and on their own key.
-#}
with

current_rows as (

    {{ current_rows(
        ref('stg_indikatorer__indicator_values'),
        'indikatorer', ['namnd_code', 'year', 'report']
    ) }}

)

select
    namnd_code,
    year,
    report,
    goal_reference,
    indicator_name,
    outcome_text,
    outcome_value,
    outcome_unit,
    outcome_kind,
    forecast_text,
    forecast_value,
    forecast_unit,
    forecast_kind,
    target_text,
    target_value,
    target_unit,
    target_kind,
    kf_target_text,
    kf_target_value,
    kf_target_unit,
    kf_target_kind,
    period_text,
    period_report,
    period_year,
    assessment_text,
    assessment,
    unparsed_columns,
    batch_id,
    line_number,
    recorded_at,
    delivery_count
from current_rows
