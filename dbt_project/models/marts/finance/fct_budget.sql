{#-
    The budget decisions in their current state, one row per decision line (Beslut,
    Nämnd, Verksamhet, Slag). Decisions add up (source-formats.md §2): Justerad budget
    as known on a date d is the sum of amount over the year's rows with
    decision_date <= d (valid time); as the warehouse knew it at a moment t, also
    recorded_at <= t (transaction time).
-#}
with

decisions as (

    select * from {{ ref('int_budget_decisions_current') }}

)

select
    -- keys
    {{ dimension_key(['namnd_code']) }} as namnd_key,
    {{ dimension_key(['namnd_code', 'verksamhet_code']) }} as verksamhet_key,
    namnd_code,
    verksamhet_code,
    year,
    slag,
    decision_id,

    -- attributes
    decision_type,

    -- amounts
    amount,

    -- lineage
    batch_id,
    line_number,

    -- times
    decision_date,
    recorded_at

from decisions
