{#-
    Sjukfrånvaro as the boards report it: per (nämnd, through-period, window, kön,
    åldersgrupp) the hours and the percentages computed from the summed hours (never an
    average of monthly percentages), rounded half away from zero to one decimal.

    Suppression (small_group_suppressed): a group is small when its smallest monthly
    headcount in the window is under 10. Every group of a breakdown goes when one of
    them is small, hours and percentages alike, because one cell could be recovered from
    its margin by subtraction (M/Alla - M/30-49 - M/50- = M/-29). The margins are
    breakdowns of their own (K/M; the three age groups; the total) and stay visible, and
    they count everyone, unless one of them is small in turn.
-#}
with

windows as (

    select
        *,
        {{ small_group_suppressed(
            'employees', ['namnd_code', 'period', 'time_window', 'breakdown']
        ) }} as suppressed
    from {{ ref('int_sick_leave_windows_summed') }}

),

published as (

    select
        namnd_code,
        period,
        time_window,
        gender,
        age_group,
        first_period,
        cast(month_count as integer) as month_count,
        cast(employees as bigint) as employees,
        {%- for hours in [
            'scheduled_hours', 'sick_hours', 'sick_hours_day_1_14', 'sick_hours_60_days_plus'
        ] %}
            cast(case when not suppressed then {{ hours }} end as decimal(18, 4))
                as {{ hours }},
        {%- endfor %}
        suppressed
    from windows

)

select
    -- keys
    namnd_code,
    period,
    time_window,
    gender,
    age_group,

    -- window
    first_period,
    month_count,

    -- persons
    employees,

    -- hours (null when suppressed)
    scheduled_hours,
    sick_hours,
    sick_hours_day_1_14,
    sick_hours_60_days_plus,

    -- percentages (one decimal, from the summed hours; null when suppressed)
    {{ percent('sick_hours', 'scheduled_hours') }} as sick_leave_pct,
    {{ percent('sick_hours_day_1_14', 'scheduled_hours') }} as day_1_14_pct,
    {{ percent('sick_hours - sick_hours_day_1_14', 'scheduled_hours') }} as day_15_plus_pct,
    {{ percent('sick_hours_60_days_plus', 'sick_hours') }} as long_term_share_pct,

    -- suppression
    suppressed

from published
