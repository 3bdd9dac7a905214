{#-
    The indicator follow-ups in their current state: one row per indicator a board
    reported in a report (år, rapport), with every figure as typed (raw text) and as
    parsed at ingest (sources/indikatorer/values.py: number, unit, kind). A text that
    could not be parsed keeps its text and is listed in unparsed_columns.
    period_key is the month the report closes (T1 April, T2 August, VB December);
    measured_report/measured_year say when a figure was measured when that differs (a
    T1 figure repeated in the T2 report stays T1).
-#}
with

indicator_values as (

    select
        *,
        {{ normalised_indicator_name('indicator_name') }} as indicator_name_normalised
    from {{ ref('int_indicator_values_current') }}

)

select
    -- keys
    {{ dimension_key(['indicator_name_normalised']) }} as indicator_key,
    {{ dimension_key(['namnd_code']) }} as namnd_key,
    {{ period_key(report_closing_period('year', 'report')) }} as period_key,
    namnd_code,
    year,
    report,
    goal_reference,
    indicator_name,

    -- periodens utfall
    outcome_text,
    cast(outcome_value as decimal(18, 4)) as outcome_value,
    outcome_unit,
    outcome_kind,

    -- prognos helår
    forecast_text,
    cast(forecast_value as decimal(18, 4)) as forecast_value,
    forecast_unit,
    forecast_kind,

    -- årsmål
    target_text,
    cast(target_value as decimal(18, 4)) as target_value,
    target_unit,
    target_kind,

    -- KF:s årsmål
    kf_target_text,
    cast(kf_target_value as decimal(18, 4)) as kf_target_value,
    kf_target_unit,
    kf_target_kind,

    -- period measured
    period_text,
    coalesce(period_report, report) as measured_report,
    coalesce(period_year, year) as measured_year,

    -- bedömning
    assessment_text,
    assessment,

    -- quality
    unparsed_columns,

    -- lineage
    batch_id,
    line_number,

    -- times
    recorded_at

from indicator_values
