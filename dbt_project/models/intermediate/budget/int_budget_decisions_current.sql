{#-
    Current state of the budget: every line of every decision whose newest accepted
    delivery wins. The supersession key is the decision (Beslut): a re-delivered
    decision replaces that decision only, and all current decisions add up, so
    Justerad budget = the sum of amount over every row here (source-formats.md §2).
-#}
with

current_rows as (

    {{ current_rows(ref('stg_budget__decisions'), 'budget', none) }}

)

select
    batch_id,
    line_number,
    year,
    decision_id,
    decision_date,
    decision_type,
    namnd_code,
    verksamhet_code,
    slag,
    amount,
    recorded_at,
    delivery_count
from current_rows
