{#-
    Current state of the payroll counts: per (Nämnd, Period) the rows of the newest
    accepted delivery only (int_deliveries_ranked). A re-delivery replaces the month
    whole, even with fewer rows; a file with several boards or months supersedes each
    (Nämnd, Period) on its own, hence the join on the row's own Nämnd and Period.
-#}
with

current_keys as (

    select
        batch_id,
        namnd_code,
        period,
        recorded_at,
        delivery_count
    from {{ ref('int_deliveries_ranked') }}
    where source_name = 'lon' and delivery_rank = 1

),

payroll_counts as (

    select * from {{ ref('stg_lon__payroll_counts') }}

)

select
    payroll_counts.batch_id,
    payroll_counts.line_number,
    payroll_counts.period,
    payroll_counts.namnd_code,
    payroll_counts.employment_type,
    payroll_counts.gender,
    payroll_counts.employees,
    payroll_counts.fte,
    payroll_counts.payslips,
    payroll_counts.gross_pay,
    current_keys.recorded_at,
    current_keys.delivery_count
from payroll_counts
inner join current_keys
    on
        payroll_counts.batch_id = current_keys.batch_id
        and payroll_counts.namnd_code = current_keys.namnd_code
        and payroll_counts.period = current_keys.period
