{#-
    Current state of the payroll counts: per (Nämnd, Period) the rows of the newest
    accepted delivery only (int_deliveries_ranked). A re-delivery replaces the month
    whole, even with fewer rows; a file with several boards or months supersedes each
    (Nämnd, Period) on its own, hence the join on the row's own Nämnd and Period.
-#}
with

current_rows as (

    {{ current_rows(ref('stg_lon__payroll_counts'), 'lon', ['namnd_code', 'period']) }}

)

select
    batch_id,
    line_number,
    period,
    namnd_code,
    employment_type,
    gender,
    employees,
    fte,
    payslips,
    gross_pay,
    recorded_at,
    delivery_count
from current_rows
