{#-
    Current state of the sick-leave hours: per (Nämnd, Period) the rows of the newest
    accepted delivery only (int_deliveries_ranked). A correction replaces the month
    whole, even with fewer rows (a group that was wrongly split disappears); a file with
    several boards or months supersedes each (Nämnd, Period) on its own, hence the join
    on the row's own Nämnd and Period.
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
    where source_name = 'sjukfranvaro' and delivery_rank = 1

),

sick_leave_hours as (

    select * from {{ ref('stg_sjukfranvaro__sick_leave_hours') }}

)

select
    sick_leave_hours.batch_id,
    sick_leave_hours.line_number,
    sick_leave_hours.period,
    sick_leave_hours.namnd_code,
    sick_leave_hours.gender,
    sick_leave_hours.age_group,
    sick_leave_hours.employees,
    sick_leave_hours.scheduled_hours,
    sick_leave_hours.sick_hours,
    sick_leave_hours.sick_hours_day_1_14,
    sick_leave_hours.sick_hours_60_days_plus,
    current_keys.recorded_at,
    current_keys.delivery_count
from sick_leave_hours
inner join current_keys
    on
        sick_leave_hours.batch_id = current_keys.batch_id
        and sick_leave_hours.namnd_code = current_keys.namnd_code
        and sick_leave_hours.period = current_keys.period
