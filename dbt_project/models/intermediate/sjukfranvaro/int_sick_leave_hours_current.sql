{#-
    Current state of the sick-leave hours: per (Nämnd, Period) the rows of the newest
    accepted delivery only (int_deliveries_ranked). A correction replaces the month
    whole, even with fewer rows (a group that was wrongly split disappears); a file with
    several boards or months supersedes each (Nämnd, Period) on its own, hence the join
    on the row's own Nämnd and Period.
-#}
with

current_rows as (

    {{ current_rows(
        ref('stg_sjukfranvaro__sick_leave_hours'),
        'sjukfranvaro', ['namnd_code', 'period']
    ) }}

)

select
    batch_id,
    line_number,
    period,
    namnd_code,
    gender,
    age_group,
    employees,
    scheduled_hours,
    sick_hours,
    sick_hours_day_1_14,
    sick_hours_60_days_plus,
    recorded_at,
    delivery_count
from current_rows
