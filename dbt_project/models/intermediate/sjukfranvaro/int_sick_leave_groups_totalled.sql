{#-
    The current sick-leave hours per (nämnd, period) in every group the reports show:
    each kön × åldersgrupp as delivered, each kön and each åldersgrupp over the other
    (labelled 'Alla'), and the board's month ('Alla', 'Alla'). Hours and headcounts are
    summed here, per month, so a window's smallest headcount (int_sick_leave_windows_
    summed) is the smallest monthly total of the group, not a sum of smallest parts.
    `breakdown` names the set of groups that together make up the month: the rows a
    suppressed group could be recovered from.
-#}
with

hours as (

    select * from {{ ref('int_sick_leave_hours_current') }}

),

totalled as (

    select
        namnd_code,
        period,
        case when grouping(gender) = 1 then 'Alla' else gender end as gender,
        case when grouping(age_group) = 1 then 'Alla' else age_group end as age_group,
        case grouping(gender, age_group)
            when 0 then 'gender_by_age'
            when 1 then 'gender'
            when 2 then 'age_group'
            else 'total'
        end as breakdown,
        sum(employees) as employees,
        sum(scheduled_hours) as scheduled_hours,
        sum(sick_hours) as sick_hours,
        sum(sick_hours_day_1_14) as sick_hours_day_1_14,
        sum(sick_hours_60_days_plus) as sick_hours_60_days_plus
    from hours
    -- cube: the four groupings (kön × ålder, kön, ålder, none) in one pass
    group by namnd_code, period, cube(gender, age_group)

)

select * from totalled
