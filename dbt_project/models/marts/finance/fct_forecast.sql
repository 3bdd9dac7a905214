{#-
    The year-end forecasts in their current state, one row per (År,
    Prognostillfälle, Nämnd, Verksamhet, Slag). forecast_period is the month the
    occasion stands for: the tertial reports close April (T1) and August (T2), a
    monthly forecast Mmm its month, so "the newest forecast made at or before a
    period" is the one with the greatest forecast_period <= that period.
-#}
with

forecasts as (

    select * from {{ ref('int_forecasts_current') }}

),

dated as (

    select
        *,
        {{ forecast_period('year', 'forecast_occasion') }} as forecast_period
    from forecasts

)

select
    -- keys
    {{ dimension_key(['namnd_code']) }} as namnd_key,
    {{ dimension_key(['namnd_code', 'verksamhet_code']) }} as verksamhet_key,
    {{ period_key('forecast_period') }} as forecast_period_key,
    namnd_code,
    verksamhet_code,
    year,
    forecast_occasion,
    forecast_period,
    slag,

    -- amounts
    amount,

    -- lineage
    batch_id,
    line_number,

    -- times
    recorded_at

from dated
