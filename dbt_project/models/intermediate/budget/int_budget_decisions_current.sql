{#-
    Current state of the budget: every line of every decision whose newest accepted
    delivery wins. The supersession key is the decision (Beslut): a re-delivered
    decision replaces that decision only, and all current decisions add up, so
    Justerad budget = the sum of amount over every row here (source-formats.md §2).
-#}
with

current_batches as (

    select
        batch_id,
        recorded_at,
        delivery_count
    from {{ ref('int_deliveries_ranked') }}
    where source_name = 'budget' and delivery_rank = 1

),

decisions as (

    select * from {{ ref('stg_budget__decisions') }}

)

select
    decisions.batch_id,
    decisions.line_number,
    decisions.year,
    decisions.decision_id,
    decisions.decision_date,
    decisions.decision_type,
    decisions.namnd_code,
    decisions.verksamhet_code,
    decisions.slag,
    decisions.amount,
    current_batches.recorded_at,
    current_batches.delivery_count
from decisions
inner join current_batches
    on decisions.batch_id = current_batches.batch_id
