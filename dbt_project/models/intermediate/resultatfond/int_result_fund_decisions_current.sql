{#-
    Current state of the result fund decisions: every decision whose newest accepted
    delivery wins. As for budget decisions the supersession key is the decision
    (Beslut-id, with its board and year): a re-delivered decision replaces that decision
    only, and all current decisions add up. A file carries many decisions, each its own
    key, hence the join on the row's own key text '<namnd>|<ar>|<beslut_id>'.
-#}
with

current_rows as (

    {{ current_rows(
        ref('stg_resultatfond__decisions'),
        'resultatfond', ['namnd_code', 'year', 'decision_id']
    ) }}

)

select
    batch_id,
    line_number,
    decision_id,
    namnd_code,
    year,
    opening_fund,
    decision_kind,
    amount,
    decision_date,
    recorded_at,
    delivery_count
from current_rows
