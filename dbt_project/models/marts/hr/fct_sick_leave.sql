{#-
    Sick-leave hours in their current state at the grain of the HR export (nämnd,
    period, kön, åldersgrupp). Hours only: every percentage is computed from summed
    hours (rpt_sick_leave), never stored or averaged.

    This table is published, and a group of fewer than 10 persons is never published
    (source-formats.md §5). The groups of one (nämnd, period) together make up the
    board's month, which rpt_sick_leave publishes, so when any of them is small the
    hours of all of them are null here (small_group_suppressed): Servicenämnden's six
    men under 30 could otherwise be recovered as the month's total minus the other five
    groups. Headcounts stay; totals and windows that count everyone are rpt_sick_leave's.
-#}
with

sick_leave_hours as (

    select
        *,
        {{ small_group_suppressed('employees', ['namnd_code', 'period']) }} as suppressed
    from {{ ref('int_sick_leave_hours_current') }}

)

select
    -- keys
    {{ dimension_key(['namnd_code']) }} as namnd_key,
    {{ period_key('period') }} as period_key,
    namnd_code,
    period,
    gender,
    age_group,

    -- counts
    employees,

    -- hours (null when suppressed)
    cast(case when not suppressed then scheduled_hours end as decimal(18, 4))
        as scheduled_hours,
    cast(case when not suppressed then sick_hours end as decimal(18, 4)) as sick_hours,
    cast(case when not suppressed then sick_hours_day_1_14 end as decimal(18, 4))
        as sick_hours_day_1_14,
    cast(case when not suppressed then sick_hours_60_days_plus end as decimal(18, 4))
        as sick_hours_60_days_plus,
    suppressed,

    -- lineage
    batch_id,

    -- times
    recorded_at

from sick_leave_hours
