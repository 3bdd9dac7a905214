{#-
    Current state of the boards' comments: per (Nämnd, År, Rapport) the rows of the
    newest accepted delivery only. A re-delivery replaces the board's comments on that
    report whole, even with fewer comments; a file with several boards supersedes each
    board's key on its own, hence the join on the row's own key text
    '<namnd>|<ar>|<rapport>'.
-#}
with

current_rows as (

    {{ current_rows(
        ref('stg_kommentarer__comments'),
        'kommentarer', ['namnd_code', 'year', 'report']
    ) }}

)

select
    batch_id,
    line_number,
    namnd_code,
    year,
    report,
    section,
    reference,
    comment_kind,
    comment_text,
    author,
    recorded_at,
    delivery_count
from current_rows
