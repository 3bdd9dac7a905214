{#-
    Current state of the boards' account balances: per (Nämnd, Period) the rows of the
    newest accepted delivery, whichever export brought it (balans_<YYYYMM>.csv or a SIE
    file's #IB/#UB/#RES). A re-delivered month replaces that board's month whole, even
    with fewer accounts: an account left out of a re-export has no balance any more. As
    of a moment and without retracted batches, as every int_*_current model
    (macros/current_rows.sql).
-#}
with

current_rows as (

    {{ current_rows(ref('stg_balans__balances'), 'balans', ['namnd_code', 'period']) }}

)

select
    batch_id,
    line_number,
    namnd_code,
    period,
    konto_code,
    post,
    balance,
    recorded_at,
    delivery_count
from current_rows
