{#-
    One row per indicator across years, reports and boards, matched by its normalised
    name (normalised_indicator_name): the same KF indicator reported by every board and
    every tertial is one member. Its attributes come from the newest report that says
    them (a later year's wording or goal wins):
    - indicator_level: KF when the goal (Mål) is a council goal (`KF 2.4`), else Nämnd;
    - unit: of the board's own figures first (utfall, prognos, årsmål), KF's target
      last: "Elförbrukning per kvadratmeter" is 52 kWh/kvm, even if KF wrote 80 kWh;
    - higher_is_better: true when a target says `Öka`, false when one says `minska`,
      null when no target gives a direction (or targets disagree);
    - computed_measure: the warehouse's own computation of the indicator, if it has one
      (rpt_indicators shows it beside the reported figure).
-#}
with

indicator_values as (

    select
        *,
        {{ normalised_indicator_name('indicator_name') }} as indicator_name_normalised,
        row_number() over (
            partition by {{ normalised_indicator_name('indicator_name') }}
            order by
                year desc,
                case report when 'VB' then 3 when 'T2' then 2 when 'T1' then 1 end desc,
                namnd_code asc,
                line_number asc
        ) as recency
    from {{ ref('int_indicator_values_current') }}

),

newest as (

    select * from indicator_values
    where recency = 1

),

units as (

    select
        indicator_name_normalised,
        coalesce(outcome_unit, forecast_unit, target_unit, kf_target_unit) as unit,
        row_number() over (
            partition by indicator_name_normalised order by recency
        ) as unit_recency
    from indicator_values
    where coalesce(outcome_unit, forecast_unit, target_unit, kf_target_unit) is not null

),

summary as (

    select
        indicator_name_normalised,
        min(year) as first_year,
        max(year) as last_year,
        count(*) as report_count,
        count(
            case when 'increase' in (target_kind, kf_target_kind) then 1 end
        ) as increase_count,
        count(
            case when 'decrease' in (target_kind, kf_target_kind) then 1 end
        ) as decrease_count
    from indicator_values
    group by indicator_name_normalised

),

members as (

    select
        {{ surrogate_key(['newest.indicator_name_normalised']) }} as indicator_key,
        newest.indicator_name_normalised,
        newest.indicator_name,
        newest.goal_reference,
        case
            when upper(newest.goal_reference) like 'KF%' then 'KF' else 'Nämnd'
        end as indicator_level,
        units.unit,
        case
            when summary.increase_count > 0 and summary.decrease_count = 0 then true
            when summary.decrease_count > 0 and summary.increase_count = 0 then false
        end as higher_is_better,
        case
            when newest.indicator_name_normalised like 'sjukfrånvaro%'
                then 'sick_leave_rolling_12m'
            when
                newest.indicator_name_normalised like '%budgetföljsamhet%'
                and newest.indicator_name_normalised like '%före resultatöverföring%'
                then 'budget_adherence_before_transfers'
            when newest.indicator_name_normalised like '%budgetföljsamhet%'
                then 'budget_adherence'
            when newest.indicator_name_normalised like '%prognossäkerhet t2%'
                then 'forecast_accuracy_t2'
        end as computed_measure,
        summary.first_year,
        summary.last_year,
        summary.report_count
    from newest
    inner join summary
        on newest.indicator_name_normalised = summary.indicator_name_normalised
    left join units
        on
            newest.indicator_name_normalised = units.indicator_name_normalised
            and units.unit_recency = 1

),

unknown_member as (

    select
        {{ unknown_member_key(1) }} as indicator_key,
        '-1' as indicator_name_normalised,
        'Okänd' as indicator_name,
        cast(null as {{ dbt.type_string() }}) as goal_reference,
        cast(null as {{ dbt.type_string() }}) as indicator_level,
        cast(null as {{ dbt.type_string() }}) as unit,
        cast(null as boolean) as higher_is_better,
        cast(null as {{ dbt.type_string() }}) as computed_measure,
        cast(null as integer) as first_year,
        cast(null as integer) as last_year,
        cast(0 as bigint) as report_count

)

select * from members
union all
select * from unknown_member
