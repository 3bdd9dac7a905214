{#-
    rpt_budget_followup in mnkr with one decimal, as the boards' reports print it.
    Every figure is rounded on its own from exact kronor (macros/mnkr.sql), sum rows
    included: a sum row is the rounded exact sum, not the sum of rounded rows.
-#}
with

followup as (

    select * from {{ ref('rpt_budget_followup') }}

)

select
    -- keys
    namnd_code,
    namnd_name,
    year,
    through_period,
    report,
    verksamhet_code,
    verksamhet_name,
    parent_verksamhet_code,
    is_total,
    slag,

    -- amounts
    {{ mnkr('adjusted_budget') }} as adjusted_budget,
    {{ mnkr('booked_ytd') }} as booked_ytd,
    {{ mnkr('forecast') }} as forecast,
    {{ mnkr('deviation') }} as deviation,
    {{ mnkr('previous_year_outcome') }} as previous_year_outcome

from followup
