{#-
    Staff-survey indices (medarbetarenkät) in their current state, one row per (nämnd,
    år, index). The survey describes a year, so period_key is that year's December in
    dim_period (the month that closes the year, as VB does).
-#}
with

survey_indices as (

    select * from {{ ref('int_survey_indices_current') }}

)

select
    -- keys
    {{ dimension_key(['namnd_code']) }} as namnd_key,
    {{ period_key('(year * 100 + 12)') }} as period_key,
    namnd_code,
    year,
    index_name,

    -- figures
    cast(index_value as decimal(18, 4)) as index_value,
    cast(response_rate as decimal(18, 4)) as response_rate,

    -- lineage
    batch_id,

    -- times
    recorded_at

from survey_indices
