{#-
    Current state of the indicator follow-ups: per supersession key (nämnd, år, rapport)
    the rows of the newest accepted delivery (see int_deliveries_ranked), even when a
    correction has fewer rows than the delivery it replaces. A file may hold several
    keys, so rows join on their batch and on their own key.
-#}
with

current_batches as (

    select
        batch_id,
        namnd_code,
        cast({{ dbt.split_part('supersession_key', "'|'", 2) }} as integer) as year,
        {{ dbt.split_part('supersession_key', "'|'", 3) }} as report,
        recorded_at,
        delivery_count
    from {{ ref('int_deliveries_ranked') }}
    where source_name = 'indikatorer' and delivery_rank = 1

),

indicator_values as (

    select * from {{ ref('stg_indikatorer__indicator_values') }}

)

select
    indicator_values.namnd_code,
    indicator_values.year,
    indicator_values.report,
    indicator_values.goal_reference,
    indicator_values.indicator_name,
    indicator_values.outcome_text,
    indicator_values.outcome_value,
    indicator_values.outcome_unit,
    indicator_values.outcome_kind,
    indicator_values.forecast_text,
    indicator_values.forecast_value,
    indicator_values.forecast_unit,
    indicator_values.forecast_kind,
    indicator_values.target_text,
    indicator_values.target_value,
    indicator_values.target_unit,
    indicator_values.target_kind,
    indicator_values.kf_target_text,
    indicator_values.kf_target_value,
    indicator_values.kf_target_unit,
    indicator_values.kf_target_kind,
    indicator_values.period_text,
    indicator_values.period_report,
    indicator_values.period_year,
    indicator_values.assessment_text,
    indicator_values.assessment,
    indicator_values.unparsed_columns,
    indicator_values.batch_id,
    indicator_values.line_number,
    current_batches.recorded_at,
    current_batches.delivery_count
from indicator_values
inner join current_batches
    on
        indicator_values.batch_id = current_batches.batch_id
        and indicator_values.namnd_code = current_batches.namnd_code
        and indicator_values.year = current_batches.year
        and indicator_values.report = current_batches.report
