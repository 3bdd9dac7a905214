{#-
    Payroll counts in their current state, at the grain the payroll system delivers
    (nämnd, period, anställningsform, kön): aggregates only, never a person. For each
    (nämnd, period) only the newest accepted delivery counts.
-#}
with

payroll_counts as (

    select * from {{ ref('int_payroll_counts_current') }}

)

select
    -- keys
    {{ dimension_key(['namnd_code']) }} as namnd_key,
    {{ period_key('period') }} as period_key,
    namnd_code,
    period,
    employment_type,
    gender,

    -- counts
    employees,
    cast(fte as decimal(18, 4)) as fte,
    payslips,

    -- amounts
    cast(gross_pay as decimal(18, 2)) as gross_pay,

    -- lineage
    batch_id,

    -- times
    recorded_at

from payroll_counts
